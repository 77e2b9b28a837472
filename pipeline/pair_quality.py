"""The pair-quality gate: rules that reject a generated pair a careful engineer would not keep.

Extractors and LLMs turn passages into prompts and answers; whatever they get wrong (a heading that
names nothing, Markdown or a pasted parent heading in the prompt, raw HTML or Liquid tags in the
answer, an answer cut mid-sentence, a list of links, a one-word reply to a paragraph of prompt), this
gate keeps it out of train.jsonl. Rules are declared as (reason, passes-expression, detail) like
pipeline/quality.py: vectorised polars over the whole frame, a rule that evaluates to null rejects,
and the first failing rule (in declaration order) names the reason. Precision first: a rule that
cannot tell a good pair from a bad one rejects both, since no example is better than a weak one.

Only generated rows are judged (generator `extractive:...` or `llm:...`); imported datasets are the
user's own data, and a preference pair's rejected side is bad on purpose. The stage counts its
rejects under the funnel step "generate", not "quality": it judges what the generator made (like
grounding, which also counts under generate), it runs before the format check so a bad pair never
costs the later stages anything, and "quality" after "format" keeps the report's funnel in run order.
"""

from collections.abc import Sequence

import polars as pl

from pipeline.records import Split, answer_text, prompt_text, reject

GENERATED = ("extractive:", "llm:")
# The rules read these columns, computed once per frame by filter_pairs (helpers, dropped again): the prompt and
# answer, and the values several rules share (written out in each rule, they were a third of the stage's time).
PROMPT, ANSWER, ANSWER_PROSE = pl.col("_prompt"), pl.col("_answer"), pl.col("_answer_prose")
PROMPT_PROSE, PROMPT_TABLE, PROMPT_TAIL = pl.col("_prompt_prose"), pl.col("_prompt_table"), pl.col("_prompt_tail")
LEAD, FIRST_WORD, LAST_LINE = pl.col("_lead"), pl.col("_first_word"), pl.col("_last_line")
LINKED_PROSE, LAST_SENTENCE = pl.col("_linked_prose"), pl.col("_last_sentence")

# Words any question is built from: articles, prepositions, pronouns, auxiliaries, question words.
FUNCTION_WORDS = sorted(
    """
a an the of for in on to at by with from into about as than then so if or and nor but not
is are was were be been being am do does did done has have had can could should would will shall may might must
i me my we us our you your it its they them their he she his her this that these those there here
what which who whom whose when where why how what's who's where's how's it's that's there's here's
i'm i've i'd i'll you're we're they're isn't aren't don't doesn't can't won't
""".split()
)
# Words a template adds around its subject, and generic verbs and nouns that name nothing in a question.
TEMPLATE_WORDS = sorted(
    """
give list describe explain tell show provide define definition mean means meant meaning say says said
overview summary summarize summarise please know involve involves involved involving go going
get use need want find learn help work happen happens start started begin see read ask contact look like
some any all each every one ones something anything everything someone anyone kind type way ways
""".split()
)
# Words that name nothing on their own: "List the no.", "What are the yes?", "Describe the setup."
EMPTY_WORDS = sorted(
    """
yes no none n/a na nil other others misc miscellaneous general notes note example examples sample samples
item items step steps details info information more above below following previous next todo tbd tba etc
setup introduction intro background contents content table section sections part parts chapter page pages
thing things stuff questions resources resource links link reference references
faq faqs tips
""".split()
)
QUESTION_WORDS = FUNCTION_WORDS + TEMPLATE_WORDS + EMPTY_WORDS
# A subject that begins with a capitalised conjunction or pronoun is the start of a sentence pasted in as a
# term: "What is If Friday?", "What are These groups?", "What is Please note?".
PASTED_SENTENCE = (
    r"^(?:What (?:is|are)(?: meant by)?|What does|Define) (?:If|When|While|Because|Although|Unless|Since|However|"
    r"Also|Please|Then|So|And|But|Or|For|This|These|Those|That|It|It's|It’s|They|There|Here|Below|Above|"
    r"One of)\b"
)
TOKEN = r"[\p{L}\p{N}]+(?:['.:\-][\p{L}\p{N}]+)*"
# "What is the A for B?" / "Give the A of B.": a table read cell by cell. The column A must be more than
# question words ("Give the who for L2.") and the row B must name something ("What are the target hours of 5?").
TABLE_PROMPT = r"(?i)^(?:what (?:is|are) the|give the) (.+?) (?:for|of) (.+?)[\s.?!]*$"


def naming(word: pl.Expr, stop: list[str]) -> pl.Expr:
    """Whether a word names something: not a `stop` word, and three or more characters with a letter, an
    acronym or code (CMS, IT, L2, 18F: upper case even when a stop word is not), a number of three or more
    digits (508) or a ratio (1:1)."""
    lower = word.str.to_lowercase()
    acronym = word.str.contains(r"^[\p{Lu}\d][\p{Lu}\d'\-]+$") & word.str.contains(r"\p{Lu}")
    plain = (word.str.len_chars() >= 3) & word.str.contains(r"\p{L}") | word.str.contains(r"^(?:\d{3,}|\d+:\d+s?)$")
    return (~lower.is_in(EMPTY_WORDS) & acronym) | (~lower.is_in(stop) & plain)


def names_something(text: pl.Expr, stop: list[str] = QUESTION_WORDS) -> pl.Expr:
    """Whether any word of the text names something; inline code always does ("the description of `wg-`")."""
    words = text.str.replace_all(r"`[^`\n]+`", " CODE ").str.replace_all("’", "'").str.extract_all(TOKEN)
    return words.list.eval(naming(pl.element(), stop)).list.any()


def has_subject() -> pl.Expr:
    column, row = PROMPT_TABLE.struct.field("1"), PROMPT_TABLE.struct.field("2")
    cells_name = (names_something(column, FUNCTION_WORDS) & names_something(row)).fill_null(True)
    return names_something(PROMPT) & cells_name & ~PROMPT.str.contains(PASTED_SENTENCE)


def has_words(text: pl.Expr, words: int) -> pl.Expr:
    """Whether the text has at least `words` runs of non-space (what counting them would say): a search that
    stops at the first match instead of a count over the whole text."""
    return text.str.contains(r"\S" + (r"\s+\S+" * (words - 2) + r"\s+\S" if words >= 2 else ""))


def contains_any(text: pl.Expr, patterns: list[str]) -> pl.Expr:
    """Whether any pattern matches (one regex each: joined, they would lose the regex engine's fast paths)."""
    return pl.any_horizontal([text.str.contains(pattern) for pattern in patterns])


def without_code(text: pl.Expr) -> pl.Expr:
    """Text with code fences and inline code removed: markup inside code is content, not a leak."""
    fences = text.str.replace_all(r"(?s)```.*?(?:```|\z)", " ").str.replace_all(r"(?s)~~~.*?(?:~~~|\z)", " ")
    return fences.str.replace_all(r"`[^`\n]*`", " ")


# --- markup in the prompt ---
FRONT_MATTER_KEYS = (
    "title|layout|permalink|redirect_from|redirect_to|sidebar|navigation|tags|categories|keywords|cspell|slug|"
    "aliases|excerpt|author|date"
)
PROMPT_MARKUP = [
    r"\*\*|__",  # bold
    r"(?:^|[^\w*])\*[^\s*](?:[^*\n]*[^\s*])?\*(?:[^\w*]|$)",  # *emphasis*
    r"(?:^|[^\w])_[^\s_](?:[^_\n]*[^\s_])?_(?:[^\w]|$)",  # _emphasis_ (snake_case is not)
    r"\]\(|\]\[|\[\^",  # links, reference links, footnotes
    r"^\s*#|^\s*(?:[-*+>]|\d+[.)])\s",  # a heading or list marker at the start
    r"(?:^|\s)\d+(?:\.\d+)*\.\s+\p{Lu}",  # a numbered heading inside: "What are 3. Use strong passwords?"
    r"</?[a-zA-Z][^<>]*>|<!--|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);",  # HTML tags, comments, entities
    r"\{%|%\}|\{\{|\}\}|\{[#:.][^}]*\}|-{3,}",  # template tags, attribute lists, front-matter fences
    rf"(?i:\b(?:{FRONT_MATTER_KEYS}):(?:\s|$))",  # a front-matter key: "List the cSpell: ignore ..."
]  # fmt: skip
# A bracketed tail: "Describe X (Parent Heading).", "(---)"; the token before it tells an acronym expansion apart.
BRACKET_TAIL = r"(\S*)\s*\(((?:[^()]|\([^()]*\))+)\)\s*[.?!]?\s*$"


def pasted_heading() -> pl.Expr:
    """A heading pasted in brackets at the end of the prompt (code left out): "---", or two or more words at least
    half of them capitalised, unless the brackets expand the acronym before them ("the steps for TSP (Thrift
    Savings Plan)")."""
    inside, before = PROMPT_TAIL.struct.field("2"), PROMPT_TAIL.struct.field("1")
    words = inside.str.extract_all(r"\S+")
    capitalised = words.list.eval(pl.element().str.contains(r"^\p{Lu}")).list.sum()
    heading_like = (words.list.len() >= 2) & (capitalised * 2 >= words.list.len())
    expansion = before.str.contains(r"^[\p{Lu}\d&/\-]{2,}$")
    return (inside.str.contains("---") | (heading_like & ~expansion)).fill_null(False)


def prompt_is_plain() -> pl.Expr:
    return ~contains_any(PROMPT_PROSE, PROMPT_MARKUP) & ~pasted_heading()


# --- markup in the answer (light Markdown is fine: lists, emphasis, inline code, headings, pipe tables) ---
HTML_TAGS = (
    "div|span|p|br|hr|iframe|img|a|table|thead|tbody|tfoot|tr|td|th|caption|ul|ol|li|dl|dt|dd|details|summary|"
    "section|article|aside|nav|header|footer|main|figure|figcaption|video|audio|source|picture|script|style|"
    "button|input|form|label|select|option|textarea|sup|sub|em|strong|b|i|u|s|small|mark|abbr|cite|kbd|code|pre|"
    "blockquote|center|font|h[1-6]|svg|object|embed|noscript"
)
ANSWER_MARKUP = [
    rf"(?i:</?(?:{HTML_TAGS})\b[^<>]*>)",  # HTML tags
    r"<[a-zA-Z][\w-]*\s+[\w:-]+=[\"']|<!--|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);",  # custom elements, comments, entities
    r"\{%|%\}|\{\{|\}\}|\{:[^}\n]*\}",  # Liquid/Jinja tags, kramdown attributes
    r"(?m)^[ \t]*-{3,}[ \t]*$",  # a front-matter fence (or a rule) alone on a line
    rf"(?m)^(?:{FRONT_MATTER_KEYS}|cSpell):(?:[ \t]|$)",  # front-matter lines
    r"(?m)^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S",  # link reference definitions: "[1]: https://..."
    r"(?:^|[^#\w])##\w",  # a channel written with a doubled hash ("##acquisition"): markup gone wrong
    r"\{\.[\w-]+[^}\n]*\}|\]\s+\(https?://",  # a kramdown class ("More{.usa-button}"), a link broken by a space
]  # fmt: skip


# --- an answer that starts or ends mid-sentence ---
CONTINUATION = (
    r"(?i)^(?:and|but|or|nor|which|whereas|whereby|however|additionally|furthermore|moreover|also|otherwise|"
    r"therefore|thus|hence)\b|^that is,"
)
LIST_OR_CODE_START = r"^(?:[-*+>]\s|\d+[.)]\s|\||`|~~~|<|!?\[|#)"
# Lower-case words no finished sentence, list item or table cell ends on (so "log in" or "do that" are not here).
DANGLING_WORD = (
    r"\b(?:and|or|but|nor|the|a|an|of|to|for|with|from|by|as|than|your|our|their|its|including|such|which|who|"
    r"whose|if|because|while|should|can|could|would|will|must|may|might|is|are|was|were|be|been|has|have|had)\z"
)


# A table cell or caption with no subject: "Provides guides for entering IDPs", "Serves as the primary liaison".
HEADLESS = (
    r"^(?:Provides|Serves|Allows|Helps|Contains|Includes|Offers|Enables|Lets|Supports|Manages|Creates|Handles|"
    r"Describes|Explains|Covers|Lists|Shows|Gives|Hosts|Tracks|Stores|Runs|Works|Leads|Owns|Oversees|Coordinates)\b"
    r"|^\p{Lu}\p{Ll}+ing, \p{Ll}+ing\b"
)


def starts_mid_sentence() -> pl.Expr:
    """A continuation word first, or a plain lower-case word first (not a code identifier, URL, list or the
    prompt's own subject such as "npm") in an answer of more than three words (a table cell may be "as needed").
    A glossary's lower-case definition ("a group of panels connected in series") is no exception: graded blind,
    a noun phrase for an answer was dropped as a fragment."""
    lead, first = LEAD, FIRST_WORD
    prompt_words = PROMPT.str.to_lowercase().str.extract_all(r"[\p{L}'’]+")
    own_subject = ~first.is_in(TEMPLATE_WORDS) & prompt_words.list.contains(first.fill_null(""))
    lower = first.str.contains(r"^\p{Ll}[\p{Ll}'’]*$") & ~own_subject
    return ~ANSWER.str.contains(LIST_OR_CODE_START) & (
        lead.str.contains(CONTINUATION) | lower & has_words(ANSWER, 4) | lead.str.contains(HEADLESS)
    )


def ends_mid_sentence() -> pl.Expr:
    """Ends on a joining word ("and", "the", "of"), a comma, an opening bracket or dash, a colon whose list is
    missing (an emoji code such as :lock: is fine), an unclosed bracket, or inside a table row."""
    last_line = LAST_LINE
    table_cut = last_line.str.contains(r"^\s*\|") & ~last_line.str.contains(r"\|\s*$")
    header_only = last_line.str.contains(r"^\s*\|?\s*:?-{3,}:?\s*\|")
    colon = ANSWER.str.contains(r":\s*\z") & ~ANSWER.str.contains(r":[\w+\-]+:\s*\z")
    unclosed = ANSWER.str.contains(r"(?:\([^()]*|\[[^\[\]]*)\z") & ~ANSWER.str.contains(r"[.!?]\s*\z")
    dangling = ANSWER.str.contains(DANGLING_WORD) | ANSWER.str.contains(r"(?:[,;(\[{“‘–—]|\s--?)\z")
    return table_cut | header_only | colon | unclosed | dangling


# --- an answer that is mostly links or navigation ---
LINK = r"!?\[([^\]]*)\]\([^)]*\)"
REF_LINK = r"\[([^\]]+)\]\[[^\]]*\]"
AUTOLINK = r"<((?:https?|mailto):[^>\s]+)>"
URL = r"(?:https?://|www\.)\S+"
# Navigation lines: "Next: ...", "< Previous", "Back to ...", "Read more ...". Plain-text breadcrumbs are not
# told apart from menu paths in instructions ("Settings > Mail > Default Account"); linked ones count as links.
NAVIGATION = (
    r"(?im)^[^\p{L}\p{N}\n]*(?:(?:next|previous|prev)[ \t]*(?:page|step|section|article|post)?[ \t]*[:>»›→]"
    r"|[<«‹←][ \t]*(?:previous|prev|back|next)|back to\b|return to top|read more|continue reading|skip to|"
    r"edit this page|next(?: step)?\b[^\n]*[>»›→][ \t]*$)[^\n]*$"
)


# A prompt that asks for a link or an address may be answered by one: "What is the link of GSA Insite?"
ASKS_FOR_LINK = (
    r"(?i)\b(?:the|a) (?:link|url|website|homepage|web address|e-?mail address|contact (?:information|details)) "
    r"(?:of|for|to)\b"
)
LINK_ANSWER = r"^(?:<[^>\s]+>|!?\[[^\]]+\]\([^)]+\)|(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)$"


def letters_and_digits(text: pl.Expr) -> pl.Expr:
    """How many letters and digits: the other characters counted and taken away (cheaper than deleting them)."""
    return text.str.len_chars() - text.str.count_matches(r"[^\p{L}\p{N}]")


def mostly_links() -> pl.Expr:
    """Links' text, URLs and navigation lines make up more than half the letters and digits a reader sees
    (a link counts by its text, not its URL, so one link in a sentence of its own stays under half)."""
    prose = ANSWER_PROSE
    visible = prose.str.replace_all(LINK, "$1").str.replace_all(REF_LINK, "$1").str.replace_all(AUTOLINK, "$1")
    rest = prose.str.replace_all(LINK, " ").str.replace_all(REF_LINK, " ").str.replace_all(AUTOLINK, " ")
    rest = rest.str.replace_all(URL, " ").str.replace_all(NAVIGATION, " ")
    # Without links, URLs or navigation the two texts are one and the answer cannot be mostly links; counting
    # letters is the costly part, so it is left to the rows where they differ (nulls stay nulls).
    differ = visible != rest
    shown, other = letters_and_digits(pl.when(differ).then(visible)), letters_and_digits(pl.when(differ).then(rest))
    return pl.when(~differ).then(False).otherwise((shown > 0) & (other * 2 < shown))


# An answer that sends the reader elsewhere instead of answering: "Consult the general TTS guidance.", "See the
# Travel page.", or one whose content was a link, a form or steps the text no longer holds ("Follow these
# instructions to solve the issue.").
POINTER_START = (
    r"(?i)^[\s*_-]*(?:please )?(?:for (?:more )?(?:information|details)\b[^.]*\b(?:see|check|visit|consult)"
    r"|see|consult|refer to|visit|check out|peruse|read)\b"
)
MISSING_CONTENT = (
    r"(?i)\b(?:follow|see|use|read|complete|fill out|submit) (?:these|the following|this) (?:instructions|steps|form|"
    r"guide|link)\b|\bclick here\b|\b(?:using|with|via|through) this (?:form|link)\b"
)
# An answer that describes the page it came from ("This page provides an overview of ...") instead of the subject.
ABOUT_THE_PAGE = (
    r"(?i)^[\s*_]*(?:this|the following) (?:page|guide|section|document|handbook|article|site|resource)s? "
    r"(?:contains|provides|describes|covers|explains|outlines|lists|includes|is|has|will|gives|offers)\b"
)
# An answer that leans on what is around it on its page: "the activities listed above", "Below summarizes ...",
# "see the screenshot", "can be found here", "this page": out of its page it points at nothing.
OUTSIDE_REFERENCE = (
    r"(?i)\b(?:listed|shown|described|mentioned|outlined|noted|explained|detailed|discussed|see|as) (?:above|below)\b"
    r"|\b(?:the|see) (?:above|below)\b|^[\s*_]*(?:above|below)\b|\bbelow (?:summarizes|summarises|are|is|you|lists)\b"
    r"|\bscreenshots?\b|\b(?:image|picture|diagram|figure|video) (?:above|below)\b|\bthis (?:page|guide|section)\b"
    r"|\b(?:found|available|listed|linked|located) here\b|\bin step \d|\bfollow steps? \d"
    r"|\b(?:this|the following|the) table below\b|\bfollow these steps[.:]"
    r"|\b(?:follow|precede|after|before|under) this table\b|\bthis (?:[\w-]+ ){0,2}(?:chart|diagram|spreadsheet)\b"
    r"|\bas (?:noted|mentioned|described|discussed|explained) (?:earlier|previously|in the (?:introduction|previous))\b"
)
# An answer whose first words point back at what came before it on its page: "Accountability here means ..." (a
# list item's explanation of its own label), "This implements several controls" (the step above it). "That is a
# defrost cycle" answers a question; a question that asks what something is may be answered "This means ...".
LEANS_BACK = (
    r"^[\s*_]*(?:\p{Lu}\p{Ll}+ here (?:means|refers to|is)\b"
    r"|(?:This|These) (?:implements?|means|applies|apply|requires?|ensures?|allows?|lets|let|covers?)\b)"
)
DEFINING_QUESTION = r"(?i)^(?:in [^,]+, )?(?:what (?:is|are|does|do)|who (?:is|are))\b"
# A last sentence that is the label of a link the page had ("More information.", "View instructions for archiving a
# Slack channel.", "- Overriding an evaluation step-by-step instructions", "..., see the launch checklist."): the
# content it stood for is not in the answer.
LINK_LABEL_LAST = (
    r"(?i)^\s*(?:[-*+]\s+)?[*_]*(?:more information|more info|learn more|read more|details"
    r"|view (?:the )?(?:instructions|steps|guide|details|policy)\b.*|.*\bstep-by-step instructions)[*_]*[.!]?\s*$"
    r"|,\s*[*_]*see the [^.,]*(?:checklist|instructions|steps|form)[*_]*\.?\s*$"
)
# What a dropped link leaves in a sentence: a word before a bare full stop ("a Google Apps Script ."), or a doubled
# joining word ("or or create").
LOST_LINK = r"\p{L} [.,;](?:\s|$)|(?i)\b(?:or or|and and|the the|to to|of of|a a|for for|in in)\b"
# An answer whose last paragraph is an italic aside (a disclaimer, "Unfortunately, we can not compensate guests")
# after one paragraph of introduction, or after an italic opening note: the page's content came after it.
ITALIC_PARAGRAPH = r"(?:\*[^*\n][^\n]*[^*\n]\*|_[^_\n][^\n]*[^_\n]_)"
NOTE_AND_INTRO = (
    rf"\A\s*[^\n]+\n\s*\n\s*{ITALIC_PARAGRAPH}\s*\z"
    rf"|\A\s*{ITALIC_PARAGRAPH}\s*\n(?:.|\n)*\n\s*{ITALIC_PARAGRAPH}\s*\z"
)
POINTER_ANSWER = 200  # characters: a longer answer says something of its own besides the pointer
# A how-to question answered by where to read how ("visit the Procurements over $10,000 handbook page to learn how
# to get started", "refer to the InSite user guide"): graded blind, all three such answers under 500 characters
# were dropped; "Ask in #admins-newrelic ..." and "Submit a Tock change request ..." give the step and were kept.
HOW_TO = r"(?i)^(?:in [^,]+, )?(?:how (?:do|can|should) i|how to|what steps)\b"
READING_POINTER = (
    r"(?i)\b(?:refer to|visit|see|consult|check out|read|review)\b[^.\n]{0,80}"
    r"\b(?:page|guide|handbook|documentation|article|wiki|site)\b"
)
HOW_TO_POINTER_ANSWER = 500
# An answer opening with an italic note or teaser of its page ("*Note: Additional OCE review is not required ...*",
# "*Learn how TTS uses social media.*"): out of its page it answers nothing, and graders dropped both seen.
OPENING_ASIDE = r"(?i)\A\s*[*_](?:note\b|learn\b|read\b|see\b|this (?:page|guide|section)\b)[^\n]*[*_]\s*\n"


def points_elsewhere() -> pl.Expr:
    """A short answer (under POINTER_ANSWER characters of visible text) that opens by sending the reader
    elsewhere ("See ...", "Consult ...", "Refer to ..."); or an answer whose last sentence promises instructions,
    steps, a form or a link that it does not hold."""
    prose, last = LINKED_PROSE, LAST_SENTENCE  # a link counts by its text
    short = prose.str.len_chars() < POINTER_ANSWER
    pointer = prose.str.contains(POINTER_START) | prose.str.contains(r"(?i)\bhere[.:]?\z")
    about_page = prose.str.contains(ABOUT_THE_PAGE)
    outside = prose.str.contains(OUTSIDE_REFERENCE) | prose.str.contains(NAVIGATION)  # "Next to Get a card >"
    leans_back = prose.str.contains(LEANS_BACK) & ~PROMPT.str.contains(DEFINING_QUESTION)
    link_gone = last.str.contains(LINK_LABEL_LAST).fill_null(False) | prose.str.contains(LOST_LINK)
    link_gone = link_gone | ANSWER.str.contains(NOTE_AND_INTRO)
    missing = last.str.contains(MISSING_CONTENT).fill_null(False)
    how_to_pointer = (
        PROMPT.str.contains(HOW_TO)
        & (prose.str.len_chars() < HOW_TO_POINTER_ANSWER)
        & prose.str.contains(READING_POINTER)
    )
    aside = ANSWER.str.contains(OPENING_ASIDE)
    return (short & pointer) | about_page | outside | leans_back | link_gone | missing | how_to_pointer | aside


# What a page keeps of a list of links once the links are gone: bare labels ("- Employee", "- Supervisor (Section 1,
# Topic 1.1)") under a lead-in ("Step-by-step instructions:"), or a draft's placeholders ("Guidance TK", "MM/YYYY").
LIST_LABEL = (
    r"(?m)^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+[*_]*[\p{Lu}][\p{L}'’&/-]*(?:[ \t]+[\p{L}'’&/-]+){0,2}[*_]*"
    r"(?:[ \t]*\([^)\n]*\))?[ \t]*$"
    r"|(?m)^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+[^\n.!]{3,80}\?[ \t]*$"  # a bare question: a link's title ("Why ...?")
)
LIST_ITEM = r"(?m)^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+\S"
SKELETON_SHARE = 0.4
# The label of a button or link that ended the section: "Get in touch", "More information.", "Learn more".
TRAILING_LINK_LABEL = (
    r"(?i)(?:^|\n)[ \t]*(?:[-*+][ \t]+)?(?:more information|more info|get in touch|learn more|read more|see more|"
    r"find out more|contact us|more details|details)[.!:]?[ \t]*\z"
)
DRAFT_PLACEHOLDER = (
    r"(?:\bTK\b|\bTKTK\b|\b(?:MM|DD)/(?:DD/)?YYYY\b|\bYYYY-MM-DD\b|\blorem ipsum\b|\[(?:insert|add|your)[^\]]*\])"
)


def link_skeleton() -> pl.Expr:
    """At least two list items are bare labels of one to three words (a title, a role, "Supervisor") and they make
    up SKELETON_SHARE or more of the items: the links they were are gone, and the list no longer says anything."""
    labels = ANSWER_PROSE.str.count_matches(LIST_LABEL)
    items = ANSWER_PROSE.str.count_matches(LIST_ITEM)
    dump = ANSWER_PROSE.str.count_matches(r"\t") >= 3  # "Q2AAA:\tcloud.gov" lines: a pasted spreadsheet
    dump = dump | ANSWER_PROSE.str.contains(TRAILING_LINK_LABEL)
    dump = dump | ANSWER_PROSE.str.contains(
        r"(?im)^[ \t]*(?:[-*+][ \t]+)?(?:step-by-step )?(?:instructions|steps|guides?):[ \t]*$"
    )
    return (labels >= 2) & (labels >= SKELETON_SHARE * items) | dump


REPLY_WORDS = 2  # "Seven years." answers "How long is the warranty on the HP-7?"; "Y", "1434" or "Required" do not
SENTENCE_END = r"[.!?][*_”\"’')\]]*\s+\p{Lu}"  # a sentence ends inside: "...details.** If a detail is ..."


def explicit_answer() -> pl.Expr:
    """A short answer that still answers: a reply of a few words to a prompt that is one explicit question or
    instruction. Table templates say "What is the X for Y?" and "Give the X for Y." of the same cell, so the rule
    takes either; a prompt of several sentences with a shorter answer carries text that belongs in the answer."""
    one_sentence = ~PROMPT.str.contains(SENTENCE_END) & PROMPT.str.contains(r"[.?]$")
    return one_sentence & has_words(ANSWER, REPLY_WORDS)


# The helper columns, level by level (a level reads the ones before it).
HELPERS: list[dict[str, pl.Expr]] = [
    {"_prompt": prompt_text().str.strip_chars(), "_answer": answer_text().str.strip_chars()},
    {
        "_answer_prose": without_code(ANSWER),
        "_prompt_prose": without_code(PROMPT),
        "_prompt_table": PROMPT.str.extract_groups(TABLE_PROMPT),
        "_lead": ANSWER.str.replace(r"^[\s*_\"“‘'(]+", ""),
        "_last_line": ANSWER.str.split("\n").list.last(),  # what r"([^\n]*)\z" extracts, without a regex
    },
    {
        "_prompt_tail": PROMPT_PROSE.str.extract_groups(BRACKET_TAIL),
        "_first_word": LEAD.str.extract(r"^(\S+)").str.replace(r"[,;:.!?)\"”’]+$", ""),
        "_linked_prose": ANSWER_PROSE.str.replace_all(r"\]\([^)]*\)", "]").str.strip_chars(),
    },
    {"_last_sentence": LINKED_PROSE.str.extract(r"([^.!?\n]*[.!?:]?)\s*\z")},
]

Rule = tuple[str, pl.Expr, str]

RULES: list[Rule] = [
    (
        "prompt_no_subject",
        has_subject(),
        "the prompt names nothing: without template words (what, how, describe, list, the, ...) and words that "
        "name nothing alone (yes, no, other, notes, example, step, general, setup, ...) no word of three or more "
        "characters, acronym (CMS) or number (508) is left; in 'the X for Y' prompts X and Y must each name "
        "something, and a subject may not start with a capitalised pronoun or conjunction (What is If Friday?)",
    ),
    (
        "markup_in_prompt",
        prompt_is_plain(),
        "the prompt holds markup: Markdown (**, _x_, links, footnotes, a leading # or list marker, a numbered "
        "heading), HTML, template or front-matter syntax, or a heading pasted in brackets at the end (---)",
    ),
    (
        "markup_in_answer",
        ~contains_any(ANSWER_PROSE, ANSWER_MARKUP)
        & ~ANSWER.str.contains(r"\{%|\{\{|(?m)^---[ \t]*$")
        & (ANSWER_PROSE.str.count_matches(r"\*\*") % 2 == 0),  # a stray "**" left where bold text was cut
        "the answer holds markup a reader should never see: HTML tags, comments or entities, a front-matter "
        "fence or key line, or link reference definitions outside code, or template tags ({% %}, {{ }}) anywhere: "
        "a site's template source is not domain knowledge (turn the rule off for pages that teach templates)",
    ),
    (
        "answer_fragment",
        ~starts_mid_sentence() & ~ends_mid_sentence(),
        "the answer is a fragment: it starts mid-sentence (and/but/or/which/however ..., or a lower-case word "
        "that is not code, a URL, a list or a finished definition) or ends mid-sentence (on and/the/of/to ..., a "
        "comma, an unclosed bracket, a colon with nothing after it, inside a table row)",
    ),
    (
        "answer_mostly_links",
        ~mostly_links() | PROMPT.str.contains(ASKS_FOR_LINK),
        "more than half of the answer's visible text (links count by their text, not their URL) is link text, "
        "bare URLs or navigation lines (Next:, < Previous, Back to, Read more): it points elsewhere instead of "
        "answering (unless the prompt asks for a link, website or e-mail address)",
    ),
    (
        "answer_link_skeleton",
        ~link_skeleton() & ~ANSWER.str.contains(DRAFT_PLACEHOLDER),
        "the answer is what is left of a list of links, or a draft: two or more list items that are bare labels of "
        f"one to three words ('- Employee', '- Supervisor (Section 1)') making up {SKELETON_SHARE:.0%} or more of its "
        "items, or a placeholder (TK, MM/YYYY, lorem ipsum, [insert ...])",
    ),
    (
        "answer_points_elsewhere",
        ~points_elsewhere(),
        f"the answer sends the reader elsewhere instead of answering: under {POINTER_ANSWER} characters that open with "
        "see/consult/refer to/visit/check out/read; an answer that opens by describing its page ('This page provides "
        "...') or leans on what is around it there ('listed above', 'Below summarizes', 'the screenshot', 'found "
        "here', 'this page', 'in step 2', 'as noted in the introduction') or opens by pointing back at it ('X here "
        "means', 'This implements', unless the prompt asks what something is); a last sentence that promises "
        "instructions, steps, a form or a link the answer does not hold ('Follow these instructions', 'using this "
        "form', 'click here') or is a link's label ('More information.', 'View instructions for ...'); or the gap a "
        "dropped link left ('a Google Apps Script .', 'or or'); or an introduction followed only by an italic aside "
        "(a disclaimer) where the content was; a how-to question answered in under "
        f"{HOW_TO_POINTER_ANSWER} characters that send the reader to a page or guide to read how ('visit the ... "
        "handbook page to learn how'); or an answer opening with an italic note or teaser ('*Note: ...*', '*Learn how "
        "...*')",
    ),
    (
        "prompt_longer_than_answer",
        (ANSWER.str.len_chars() >= PROMPT.str.len_chars())
        | explicit_answer()
        | (PROMPT.str.contains(ASKS_FOR_LINK) & ANSWER.str.contains(LINK_ANSWER)),
        f"the prompt is longer than the answer, and the answer is not a reply of at least {REPLY_WORDS} words to a "
        "prompt of one question or instruction (ending in '?' or '.'), nor the link or address the prompt asks for",
    ),
]
REASONS = tuple(reason for reason, _, _ in RULES)


def filter_pairs(examples: pl.DataFrame, skip: Sequence[str] = ()) -> Split:
    """Keep the generated pairs passing every rule (not in `skip`) and every row not generated here; reject
    the others with the first failing rule's reason."""
    rules = [rule for rule in RULES if rule[0] not in skip]
    generated = pl.col("generator").str.starts_with(GENERATED[0]) | pl.col("generator").str.starts_with(GENERATED[1])
    judged = generated.fill_null(False) & ~((pl.col("kind") == "kto") & ~pl.col("label")).fill_null(False)
    failures = [pl.when(~passes.fill_null(False)).then(pl.lit(reason)) for reason, passes, _ in rules]
    first_failure = pl.coalesce(failures) if failures else pl.lit(None, pl.String)
    helpers = examples
    for level in HELPERS:  # eager, level by level: measured per shard, a lazy query spent a third more CPU
        helpers = helpers.with_columns(**level)
    verdict = pl.when(judged).then(first_failure).otherwise(pl.lit(None, pl.String))
    flagged = helpers.with_columns(_reason=verdict).drop(*(name for level in HELPERS for name in level))
    bad = flagged.filter(pl.col("_reason").is_not_null())
    details = {reason: detail for reason, _, detail in rules}
    rejected = reject(bad, pl.col("_reason"), pl.col("_reason").replace_strict(details, default=""))
    return Split(flagged.filter(pl.col("_reason").is_null()).drop("_reason"), rejected.drop("_reason"))
