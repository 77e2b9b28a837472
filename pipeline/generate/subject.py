"""What a heading is about, phrased as a question a person would ask, or a reason why it cannot be.

Headings come in a few kinds, and each has one natural way to be asked about:
- a question ("Can I work remotely?") is already the prompt;
- a how/what/when/where/why clause ("How to request leave") becomes "How do I request leave?";
- an instruction ("Submit your timesheet") becomes "How do I submit my timesheet?";
- an activity ("Booking travel") becomes "How do I go about booking travel?";
- a noun phrase ("Annual leave") becomes "What should I know about annual leave?" (or "What is X?" when
  the section defines X);
- a generic heading ("Eligibility", "Overview", "Tips") names no subject of its own: the subject comes
  from the nearest specific ancestor heading or the document title ("Who is eligible for the remote
  work stipend?");
- a heading that is not a subject at all (a number, a date, "Notes", "Yes", a lone "Team" with no
  context, "our values" with no name for "our") yields no question, and the reason says why.

Prompts are plain text: markup, anchors, numbering and "Q:" prefixes are removed first.
"""

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.generate.verbs import (
    MENTAL,
    OBJECT_START,
    acronym,
    gerund_base,
    instruction,
    lemmas,
    lettered,
    only_noun,
    past_tense,
)
from pipeline.generate.written import written_as_name, written_lower

MARKUP = [
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"\{[#:][^}]*\}|\{%.*?%\}|\{\{.*?\}\}"), ""),  # {#anchors}, Liquid
    (re.compile(r"<[^>]+>"), ""),  # inline HTML
    (re.compile(r"\*\*|__|`|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)"), ""),  # emphasis, code
]
MARKUP_CHAR = re.compile(r"[\[{<*_`]")  # a character every MARKUP pattern needs
NUMBERING = re.compile(r"^\s*(?:(?:step|phase|part|stage|section|chapter|module|week|day)\s+\d+[a-z]?\s*[:.)\-–—]\s*"
                       r"|\d{1,3}(?:\.\d{1,3})*[.)]?\s+|[a-z][.)]\s+|[ivx]{1,4}[.)]\s+)", re.I)  # fmt: skip
TRAILING_LABEL = re.compile(r"\s+[-–—]\s+(?:an? )?(?:example|examples|link|links|here|template|templates)$", re.I)
ACRONYM_FIRST = re.compile(r"^([A-Z][A-Z0-9&-]{1,9})\s+\(([^()]{4,80})\)$")
LEFTOVER_MARKUP = re.compile(r"\]\(|\*\*|__|[\[\]<>{}|#`\\]")
QA_PREFIX = re.compile(r"^\s*(?:q|question)\s*[:.]\s*", re.I)
NO_SUBJECT = re.compile(
    r"^(?:(?:step|phase|part|stage|section|chapter|module|week|day|level|option|version|release|appendix|table|figure)"
    r"\s*[\w.]{0,6}|[\d\s.,:/\-–—]+|yes|no|n/?a|none|other|others|misc(?:ellaneous)?|notes?|example|examples|"
    r"general|details|more|todo|tbd|draft|updates?|changelog|change log|(?:title|keywords|cspell|current):.*|---+|"
    r"tl;?dr|welcome\b.*|thanks?\b.*|thank you\b.*|congratulations\b.*|hello\b.*|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:,?\s+\d{4})?)$",
    re.I,
)
PRONOUNS = [(re.compile(rf"\b{old}\b", re.I), new) for old, new in
            (("yourself", "myself"), ("yours", "mine"), ("your", "my"), ("you're", "I'm"), ("you've", "I've"),
             (r"(?<=\bhelp )you|(?<=\bto )you|(?<=\bfor )you|(?<=\bwith )you|(?<=\blet )you|(?<=\btell )you"
              r"|(?<=\bgive )you|(?<=\bshow )you|(?<=\babout )you|(?<=\bhelps )you", "me"),
             ("you", "I"))]  # fmt: skip
# A heading naming a document rather than a subject: "Employee performance management checklist", "18F guide to
# consulting engineering", "Intro to GitHub", "Onboarding overview" (graded blind: kept less than a third of the time).
DOCUMENT_KIND = re.compile(
    r"(?i)\b(?:guide|checklist|template|playbook|handbook|toolkit|tool kit|worksheet|slides|deck|newsletter|"
    r"cheat ?sheet|reading list|readme)s?\b|\b(?:intro|introduction|primer|overview)s?\b(?! (?:to|of) \w)"
    r"|^(?:intro|introduction) to\b"
)
# "Note before getting started", "Tip: ...", "One thing I learned": a remark of the page, not a subject.
AUTHOR_VOICE = re.compile(
    r"^(?i:an? )?(?i:note|tip|hint|reminder|warning|caution|heads up)\b"
    r"|^(?!(?i:how|what|when|where|why|who|which|can|could|should|do|does|did|is|are|am|may|will|would)\b).*\bI\b"
)
FIRST_PERSON_PLURAL = re.compile(r"\b(?:we|our|ours|us|we're|we've)\b", re.I)
STOP = set(
    """a an the of for in on to at by with and or is are be do does can how what when where why who which
whom whose this that these those it its my your our their about from into over under up out as not someone
anyone something anything else""".split()
)
# Headings that name a kind of content rather than a subject; each asks about its context in its own way.
GENERIC = {
    "eligibility": "Who is eligible for {ctx}?",
    "who is eligible": "Who is eligible for {ctx}?",
    "requirements": "What are the requirements for {ctx}?",
    "purpose": "",  # graded blind: the template asked more or other than the section answers
    "scope": "What does {ctx} cover?",
    "overview": "",  # graded blind: the template asked more or other than the section answers
    "introduction": "",  # graded blind: the template asked more or other than the section answers
    "summary": "",  # graded blind: the template asked more or other than the section answers
    "about": "",  # graded blind: the template asked more or other than the section answers
    "background": "",  # graded blind: the template asked more or other than the section answers
    "history": "",  # graded blind: the template asked more or other than the section answers
    "process": "",  # graded blind: the template asked more or other than the section answers
    "procedure": "",  # graded blind: the template asked more or other than the section answers
    "how it works": "",  # graded blind: the template asked more or other than the section answers
    "steps": "",  # graded blind: the template asked more or other than the section answers
    "instructions": "",  # graded blind: the template asked more or other than the section answers
    "getting started": "",  # graded blind: the template asked more or other than the section answers
    "tips": "What are some tips for {ctx}?",
    "best practices": "What are the best practices for {ctx}?",
    "rules": "What are the rules for {ctx}?",
    "guidelines": "What are the guidelines for {ctx}?",
    "policy": "What is the policy on {ctx}?",
    "responsibilities": "",  # graded blind: the template asked more or other than the section answers
    "benefits": "",  # graded blind: the template asked more or other than the section answers
    "timeline": "What is the timeline for {ctx}?",
    "timing": "What is the timing for {ctx}?",
    "deadlines": "What are the deadlines for {ctx}?",
    "cost": "How much does {ctx} cost?",
    "costs": "How much does {ctx} cost?",
    "exceptions": "",  # graded blind: the template asked more or other than the section answers
    "limitations": "",  # graded blind: the template asked more or other than the section answers
    "tools": "",  # graded blind: the template asked more or other than the section answers
    "setup": "",  # graded blind: the template asked more or other than the section answers
    "set up": "",  # graded blind: the template asked more or other than the section answers
    "installation": "",  # graded blind: the template asked more or other than the section answers
    "usage": "",  # graded blind: the template asked more or other than the section answers
    "options": "",  # graded blind: the template asked more or other than the section answers
    "alternatives": "",  # graded blind: the template asked more or other than the section answers
    "goals": "",  # graded blind: the template asked more or other than the section answers
    "principles": "",  # graded blind: the template asked more or other than the section answers
    "structure": "",  # graded blind: the template asked more or other than the section answers
    "leadership": "",  # graded blind: the template asked more or other than the section answers
    "selection": "",  # graded blind: the template asked more or other than the section answers
    "approval": "",  # graded blind: the template asked more or other than the section answers
    "contact": "Who do I contact about {ctx}?",
    "contacts": "Who do I contact about {ctx}?",
    "questions": "Who do I contact with questions about {ctx}?",
    "training": "",  # graded blind: the template asked more or other than the section answers
    "issues": "",  # "GitHub issues" or problems? Graded blind, the template guessed wrong
    "troubleshooting": "",  # graded blind: the template asked more or other than the section answers
    "faq": "",
    "resources": "",  # usually a list of links: nothing to teach
    "additional resources": "",
    "more information": "",
    "related": "",
    "see also": "",
    "suggested reading": "",
    "further reading": "",
    "additional reading": "",
    "recommended reading": "",
    "reading": "",
    "reading list": "",
    "useful links": "",
    "helpful links": "",
    "other resources": "",
    "additional information": "",
    "references": "",
    "links": "",
    "team": "",
    "definitions": "",
    "glossary": "",
}
WH_CLAUSE = [  # "How to X" -> "How do I X?"
    (re.compile(r"^how to (.+)$", re.I), "How do I {}?"),
    (re.compile(r"^how do (?:i|you) (.+)$", re.I), "How do I {}?"),
    (re.compile(r"^what to (.+)$", re.I), "What should I {}?"),
    (re.compile(r"^when to (.+)$", re.I), "When should I {}?"),
    (re.compile(r"^where to (.+)$", re.I), "Where do I {}?"),
    (re.compile(r"^who to (.+)$", re.I), "Who should I {}?"),
    (re.compile(r"^why to (.+)$", re.I), "Why should I {}?"),  # not "Why my first bill may look different"
    (re.compile(r"^whether to (.+)$", re.I), "Should I {}?"),
]
VERBS = set(
    """access add apply approve arrange ask attend avoid book bring build buy calculate call cancel change check
choose claim clean close collect communicate complete configure confirm connect contact create decide delete
deploy describe design determine disable download edit email enable enroll enrol enter estimate file fill find
finish fix follow forward get give go handle help hire install invite join keep learn leave list locate log
make manage meet migrate move notify obtain open order pack pay pick plan post prepare print protect provide
publish read receive record reduce register release remove renew rent report request reserve reset respond
return review run save schedule search select send set share sign start stop submit subscribe switch take
talk tell test track train transfer travel turn update upgrade upload use verify view visit vote wait work
write strengthen support improve increase ensure understand define identify establish develop encourage
promote maintain prioritize prioritise document measure evaluate lead coordinate facilitate collaborate onboard
offboard consider know adjust assess gather cultivate seek practice celebrate embrace balance reflect""".split()
)
# Abstract and mass nouns read without an article: "project management", "international travel".
MASS = re.compile(
    r"(?:ment|ing|tion|sion|ity|ance|ence|ness|ship|ism|age|ure|travel|transit|work|leave|data|"
    r"information|software|equipment|feedback|research|security|time|pay|health|access|response|support|media)$"
)
PREPOSITIONS = {"of", "for", "in", "on", "at", "with", "to", "from", "by", "within", "via", "during"}
DEICTIC = re.compile(r"\b(?:this|these|those|that|such|above|below|aforementioned|said)\b|^(?:the )?other\b", re.I)
# A capitalised ordinary word inside a question, hyphenated or not ("Harassment", "Non-Sexual").
TITLE_WORD = re.compile(r"(?<=\s)[A-Z][a-z][a-z'’]*(?:-[A-Za-z][a-z'’]*)*\b")
# Open questions about a noun phrase, varied by a seeded choice so a dataset does not teach one opening.
ABOUT = (
    "What should I know about {}?",
    "Can you tell me about {}?",
    "What do I need to know about {}?",
    "Tell me about {}.",
)
OPENINGS = tuple(template.split(" {}")[0] for template in ABOUT)  # "What should I know about", ...
WORD3 = re.compile(r"[^\W\d_][\w'’-]{2,}")  # a word of three or more characters starting with a letter
PAGE_WORDS = {"frequently", "asked", "faq", "faqs", "guide", "guides", "handbook", "page", "overview", "index", "home",
              "policy", "guidelines", "basics", "tips", "101", "help", "documentation", "docs"}  # fmt: skip
VAGUE = re.compile(r"\b(?:things|stuff|misc|various|general)\b", re.I)
# A situation a reader can be in names a person: "If someone becomes defensive", "When you lose your badge".
# Graded blind, "After the event", "Once inside GSA", "If an appropriate PD already exists" were dropped three
# times in four: the event, the building, the PD are the page's, and the question does not say which.
SOMEONE = re.compile(
    r"(?i)\b(?:someone|somebody|anyone|you|your|I|my|me|they|a (?:colleague|coworker|teammate|manager|supervisor|"
    r"employee|partner|customer|visitor|guest))\b"
)
SITUATION = {"before", "after", "during", "within", "once", "until", "while", "when", "if", "upon"}
STATEMENT = re.compile(
    r"\b(?:is|are|was|were|will|can|must|should|has|have|does|do|did|doesn't|don't|isn't|aren't|cannot|can't|won't)\b"
    r"|n't\b",
    re.I,
)
ANAPHOR = re.compile(
    r"\b(?:[Ii]t|[Tt]hey|[Tt]hem|[Ii]ts|[Tt]heir)\b"
)  # case kept: "Get IT help" names IT  # a pronoun whose antecedent is on the page
QUESTION_START = re.compile(
    r"^(?:(?:how|what|when|where|why|who|which)\s+(?:is|are|was|were|do|does|did|can|could|should|would|will|may|"
    r"must|has|have)|can|should|do|does|is|are|will)\s+\S+\s+\S",
    re.I,
)
OVERVIEW_OF = re.compile(r"^(?:an? )?(?:brief |quick |short )?(?:overview|introduction|summary|intro) (?:of|to) ", re.I)
ING_NOUNS = set(
    """anything building ceiling clothing evening everything funding housing king meeting morning nothing
offering ring something spring string thing training wedding wing heading listing pricing
recording warning""".split()
)


@dataclass(frozen=True)
class Phrased:
    prompt: str | None  # the question, or None
    reason: str = ""  # why there is no question (the reject detail)


@lru_cache(maxsize=8192)
def clean_heading(heading: str) -> str:
    """Plain text: no markup, anchors, numbering, "Q:" prefix or trailing colon."""
    text = heading
    if MARKUP_CHAR.search(text):  # most headings hold no markup: four substitutions that could change nothing
        for pattern, replacement in MARKUP:
            text = pattern.sub(replacement, text)
    text = QA_PREFIX.sub("", NUMBERING.sub("", text.strip()))
    text = TRAILING_LABEL.sub("", " ".join(text.split()))
    if text.endswith(")"):  # "FERS (Federal Employees Retirement System)": the name, then the acronym
        text = ACRONYM_FIRST.sub(r"\2 (\1)", text)
    return text.strip(" :;-–—!").strip()


CONTENT_WORD = re.compile(r"[\w'’&+-]+")


def content_words(text: str) -> list[str]:
    return [word for word in CONTENT_WORD.findall(text.lower()) if word not in STOP and not word.isdigit()]


def first_person(text: str) -> str:
    """The reader's words as the asker says them: "your timesheet" -> "my timesheet"."""
    if "you" not in text.lower():  # every pattern of PRONOUNS needs it
        return text
    for pattern, replacement in PRONOUNS:
        text = pattern.sub(replacement, text)
    return text


ACRONYM_IN_PARENS = re.compile(r"\([A-Z][A-Za-z]*[A-Z]\)")


def sentence_case(text: str, body: str) -> str:
    """A heading as it reads mid-sentence: a capitalised word is lowered where the body shows it is a common
    word (written in lower case there, never as a name mid-sentence); the first word of a sentence-case
    heading is lowered unless the body writes it as a name. Names keep their capitals."""
    if len(text.split()) > 1 and text in body and re.search(rf"(?<=[a-z,;] ){re.escape(text)}\b", body):
        return text  # the body writes the phrase so mid-sentence: "the TTS Digital Council"
    words = text.split(" ")
    if ACRONYM_IN_PARENS.search(text) or (
        len(words) > 1 and is_name(words[0]) and all(word[:1].isupper() for word in words)
    ):
        return text  # "Competitive Development Program (CDP)", "TTS Technology Operations": names
    names: dict[str, bool] = {}  # whether the body writes a word as a name, asked of each word up to three times

    def as_name(word: str) -> bool:
        if word not in names:
            names[word] = written_as_name(word, body)
        return names[word]

    longer = [  # the heading's ordinary words: not stop words, not names ("Brightwater", "Cell" as the body writes it)
        word
        for word in words
        if word.lower() not in STOP and word[:1].isalpha() and not as_name(word) and lemmas(word) and not is_name(word)
    ]
    title_case = len(longer) >= 2 and sum(word[:1].isupper() for word in longer) >= 0.75 * len(longer)
    out = []
    for index, word in enumerate(words):
        plain = word.strip("()[],.;:")
        low = plain.lower()
        named, in_lower = as_name(plain), written_lower(low, body)
        seen = named or in_lower  # the body shows how the word is written; else the lexicon says
        known = bool(lemmas(plain)) or ("-" in plain and all(lemmas(part) for part in plain.split("-") if part))
        common_word = (not named or in_lower) if seen else known  # "Follow-up" as much as "Meeting"
        ordinary = plain[:1].isupper() and plain[1:].islower() and common_word
        # the body writes the word, its plural or its singular in lower case ("Meeting" where it says "meetings")
        any_form = in_lower or written_lower(f"{low}s", body) or (low.endswith("s") and written_lower(low[:-1], body))
        common = any_form or (index == 0 and not title_case)
        out.append(word.replace(plain, plain.lower(), 1) if ordinary and common else word)
    if out != words:  # one word lowered: lower the other ordinary words too, never "the digital Council"
        out = [
            word.lower() if word[:1].isupper() and word[1:].islower() and lemmas(word) and not as_name(word) else word
            for word in out
        ]
    return " ".join(out)


def noun_phrase(text: str) -> str:
    """A noun phrase as it reads after "about": an article for a common noun, none for names, plurals and mass
    nouns. The head noun is the last word before a preposition ("rules" in "safety rules for the Academy")."""
    words = text.split(" ")
    cut = next((index for index, word in enumerate(words) if index and word.lower() in PREPOSITIONS), len(words))
    head = words[cut - 1]
    plural = head.lower().endswith("s") and not head.lower().endswith(("ss", "us", "is")) and head.islower()
    # "OLU performance management program": an acronym naming whose program, not the program's name; "Internal
    # role approval process": a capital the page gave its first word, and a common noun at the head
    described = (
        (is_name(words[0]) or bool(lemmas(words[0]))) and cut >= 3 and all(word.islower() for word in words[1:cut])
    )
    if (
        (text[:1].islower() or described)
        and words[0].lower() not in STOP
        and not plural
        and (described or not is_name(" ".join(words[:cut])))  # "HP-7 setup" is a name; "defrost cycle of ..." not
        and not MASS.search(head)
        and not (words[0].lower().endswith("ing") and len(words) > 1 and words[1].lower() in OBJECT_START)
        # a gerund phrase ("hosting a webinar") takes no article; "the contracting officer" does
    ):
        return f"the {text}"
    return text


# Words of headings that name kinds of content; a heading made only of them ("Roles and responsibilities",
# "Tips and tricks") asks about its context like a single generic word does.
GENERIC_WORDS = {word for key in GENERIC for word in key.split()} | set(
    "roles tricks notes faqs links process processes policies procedures guidance timelines expectations".split()
)


KIND_OVERVIEW = re.compile(r"(?:product|service|program|programme|team|project|policy) (?:overview|summary)")
LOWER_WORD = re.compile(r"[a-z]+")


def generic_template(text: str) -> str | None:
    """The question template of a generic heading ("" when it asks nothing), or None for a specific heading."""
    key = text.lower().strip(" .")
    if key in GENERIC:
        return GENERIC[key]
    if KIND_OVERVIEW.fullmatch(key):
        return GENERIC["overview"]  # "Product overview": an overview of what the page is about
    words = [word for word in LOWER_WORD.findall(key) if word not in ("and", "or", "the", "of", "&")]
    leftovers = {"other", "notes", "misc", "additional", "more"}
    if leftovers & set(words) and set(words) <= leftovers | GENERIC_WORDS:
        return ""  # "Other notes", "Additional resources": leftovers of a page, no subject
    if len(words) >= 2 and all(word in GENERIC_WORDS for word in words):
        verb = "are" if words[-1].endswith("s") and not words[-1].endswith("ss") else "is"
        return f"What {verb} the {key} for {{ctx}}?"
    return None


CAPITALS = re.compile(r"[A-Z]+")
TWO_PARTS = re.compile(r" [-–—/] |: |[“”\"]|\([^)]* [^)]*\)")  # "Play 7 - ...", "a / b", "“their part”", "(not for)"
READER_CLAUSE = re.compile(r"\b(?:you|I)\s+(?:may|might|can|could|will|would|should|need|want)\b", re.I)
ADVICE = re.compile(  # "Check the backup reserve first": a step
    r"(?i)\b(?:when|if|whenever|where) (?:possible|needed|necessary|appropriate)\b|\bexamples?\b"
    r"|\b(?:first|next|then|again|above|below)$"
)
CONTENT_KIND = re.compile(r"(?i)(?:examples|resources|links|more|further|steps?)\b(?! of\b)")


def phrase_heading(heading: str, context: list[str], body: str, variant: int = 0) -> Phrased:
    """The prompt for a section whose body answers its heading; `context` is the ancestors then the title."""
    text = clean_heading(heading)
    if not text or NO_SUBJECT.match(text):
        return Phrased(None, f"heading '{heading}' names no subject")
    if text.endswith("?"):
        return Phrased(None, "a question heading: the faq extractor asks it")
    if LEFTOVER_MARKUP.search(text):
        return Phrased(None, f"heading '{heading}' holds markup that does not read as words")
    template = generic_template(text)
    if template is not None:
        if not template:
            return Phrased(None, f"heading '{text}' names a kind of content, not a subject")
        subject = context_subject(context, body)
        if subject is None:
            return Phrased(None, f"heading '{text}' needs a subject and no ancestor heading or title gives one")
        return without_title_words(Phrased(template.format(ctx=subject)), text, body)
    if FIRST_PERSON_PLURAL.search(text):
        return Phrased(None, f"heading '{text}' says we/our without naming who")
    if text.isupper() and any(len(word) > 4 and lemmas(word) for word in CAPITALS.findall(text)):
        return Phrased(None, f"heading '{text}' is set in capitals: a form's or template's label, not a subject")
    if TWO_PARTS.search(text):
        return Phrased(None, f"heading '{text}' is a title in two parts, not a subject to ask about")
    if "," in text and not text.endswith("?"):
        return Phrased(None, f"heading '{text}' lists several things: no one subject to ask about")
    if READER_CLAUSE.search(text):
        return Phrased(None, f"heading '{text}' is a clause about the reader, not a subject")
    if DOCUMENT_KIND.search(text):
        return Phrased(None, f"heading '{text}' names a document (a guide, a checklist, an overview), not a subject")
    if ADVICE.search(text):
        return Phrased(None, f"heading '{text}' is advice or an example, not a subject to ask about")
    if CONTENT_KIND.match(text):
        return Phrased(None, f"heading '{text}' names a kind of content, not a subject")
    if AUTHOR_VOICE.search(text):
        return Phrased(None, f"heading '{text}' is a note or the author's own voice, not a subject")
    if DEICTIC.search(text):
        return Phrased(None, f"heading '{text}' points at something it does not name")
    phrased = specific_question(text, body, variant)
    if phrased.prompt is None:
        return phrased
    return without_title_words(phrased, text, body)  # the page's name is added where needed by generate.anchor


def without_title_words(phrased: Phrased, text: str, body: str) -> Phrased:
    """A capitalised ordinary word left inside the question ("How is Joining the Design team structured?") shows
    a heading pasted in, unless the body writes it as a name."""
    leftover = [
        word
        for word in TITLE_WORD.findall((phrased.prompt or "")[1:])
        if not written_as_name(word, body) and any(lemmas(part) for part in word.split("-") if len(part) > 2)
    ]  # "Brightwater" is no English word: a name, whether or not this section's body says it; "Non-Sexual" is
    if leftover:
        return Phrased(None, f"heading '{text}' reads as a title ({', '.join(leftover)}), not as words of a question")
    words = text.split()
    if len(words) >= 2 and heading_capital(words[0], words[1], phrased.prompt or "", body):
        return Phrased(None, f"heading '{text}' keeps its capital '{words[0]}' mid-question: it reads as pasted")
    for first, second in itertools.pairwise(words):
        half = f"{first[:1].lower()}{first[1:]} {second}"
        prompt = phrased.prompt or ""
        if first.istitle() and second.istitle() and half in prompt and re.search(rf"\b{re.escape(half)}\b", prompt):
            # "the digital Council", "the new Relic", "rental Cars": one word of a name lowered, the next kept
            return Phrased(None, f"heading '{text}' is half a name once lowered ('{half}'): it reads as pasted")
    return phrased


def heading_capital(first: str, second: str, prompt: str, body: str) -> bool:
    """ "What should I know about Handoff to partner agencies?", "... about Engagement manager?": the heading's
    capital kept inside the question before a lower-case word, where the body never writes the word alone as a
    name mid-sentence ("in Slack and ..."); a part of a longer name ("the Engagement Manager") is not one."""
    if not (first[:1].isupper() and first[1:].islower() and second[:1].islower()) or acronym(first):
        return False
    if f"{first} {second}" not in prompt or not re.search(rf"(?<=\s){re.escape(first)} {re.escape(second)}\b", prompt):
        return False
    alone = rf"(?<=[a-z,;] ){re.escape(first)}(?:[.,;:!?)]|\s+[a-z(])"
    return first not in body or not re.search(alone, body)


CAMEL_CASE = re.compile(r"[a-z][A-Z]")


def page_name(context: list[str]) -> str | None:
    """The page's title when it is a short name ("Mural", "Google Calendar", "Concur"): a tool or a place a
    question can end with ("... in Concur?"). Longer titles read as pasted headings, so they give nothing."""
    title = clean_heading(context[-1]) if context else ""
    words = title.split()
    while words and (words[-1].lower() in GENERIC_WORDS or words[-1].lower() in PAGE_WORDS):
        words = words[:-1]  # "Slack guidelines" -> "Slack", "Concur FAQ" -> "Concur"
    if not words or len(words) > 3 or NO_SUBJECT.match(" ".join(words)):
        return None
    if any(word.lower() in GENERIC_WORDS or word.lower() in PAGE_WORDS for word in words):
        return None  # "Frequently Asked Questions": a kind of page, not a name
    if len(words) == 1 and not (is_name(words[0]) or CAMEL_CASE.search(words[0])):
        return None  # "Offboarding", "Product": one ordinary word is no name; "GitHub", "AirTable", "TSP" are
    if words[0].lower().endswith("ing"):
        return None  # "Accessing DoD systems": an activity, not a place to do things in
    if all(word[:1].isupper() or is_name(word) for word in words) and not any(w.lower() in STOP for w in words):
        return " ".join(words)
    return None


LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+(?=\S+\s)", re.I)
COMMA_CLAUSE = re.compile(r",\s+(?:for|in|on|at|with|by|to|from)\b")


def specific_question(text: str, body: str, variant: int = 0) -> Phrased:
    text = LEADING_ARTICLE.sub("", text)
    overview = OVERVIEW_OF.match(text)
    if overview and len(text) > overview.end():
        return Phrased(f"Can you give me an overview of {noun_phrase(sentence_case(text[overview.end() :], body))}?")
    for pattern, template in WH_CLAUSE:
        match = pattern.match(text)
        if match:
            return Phrased(template.format(first_person(sentence_case(match.group(1), body))))
    if QUESTION_START.match(text):
        return Phrased(f"{text[:1].upper()}{text[1:]}?")  # a question without its question mark
    words = text.split(" ")
    first = words[0].lower()
    asked = first_person(sentence_case(text, body))
    if text.endswith("."):
        return Phrased(None, f"heading '{text}' is a sentence, not a subject")
    imperative = instruction(words) or (
        first in VERBS
        and len(words) >= 2
        and not compound_noun(words)
        and not lettered(words[1])
        and words[1].lower() != "of"  # "Use of other workspaces": a noun
    )
    if (first in SITUATION or imperative) and ("," in text or ANAPHOR.search(text)):
        return Phrased(None, f"heading '{text}' reads as a maxim or a clause of its page, not a task to ask about")
    if first in SITUATION and len(words) >= 3 and SOMEONE.search(text):
        return Phrased(f"What should I do {asked[:1].lower()}{asked[1:]}?")
    if first in STOP or first in SITUATION:
        return Phrased(None, f"heading '{text}' starts with '{words[0]}': no subject to ask about")
    if STATEMENT.search(text) or symptom(words):
        return Phrased(None, f"heading '{text}' is a statement, not a subject")
    if first in MENTAL:
        return Phrased(None, f"heading '{text}' is a maxim ('{words[0]}'), not a task with steps")
    if COMMA_CLAUSE.search(text):
        return Phrased(None, f"heading '{text}' adds a clause after a comma: a title, not a subject to ask about")
    if past_tense(first) and len(words) >= 2:
        if words[1].lower() in ("my", "the", "a", "an", "your"):  # "Forgot my card"
            return Phrased(f"What should I do if I {asked[:1].lower()}{asked[1:]}?")
        return Phrased(None, f"heading '{text}' starts with a past-tense verb: an event, not a subject")
    if first in VERBS and len(words) >= 2 and not imperative:
        return Phrased(None, f"heading '{text}' reads as an instruction or as a noun ('{words[0]}'): ambiguous")
    if imperative:
        return Phrased(f"How do I {first}{asked[len(first) :]}?")
    base = gerund_base(first, words[1] if len(words) > 1 else "")
    if base and len(words) >= 2 and first not in ING_NOUNS and not is_name(text):
        rest = asked[len(first) :]
        if base in ("understand", "know"):  # "Understanding travel comp time"
            return Phrased(f"Can you explain{rest}?")
        if base in MENTAL:
            return Phrased(None, f"heading '{text}' is a maxim ('{words[0]}'), not a task with steps")
        if activity(words):
            return Phrased(f"How do I {base}{rest}?")
        return Phrased(ABOUT[variant % len(ABOUT)].format(f"{asked[:1].lower()}{asked[1:]}"))
    if VAGUE.search(text) or len(words) >= 9 or first.endswith("ly"):
        return Phrased(None, f"heading '{text}' reads as a statement or a vague label, not a subject")
    if len(words) == 1 and not WORD3.search(text):
        return Phrased(None, f"heading '{text}' has no word of three letters to ask about")
    if len(content_words(text)) < 2 and not is_name(text) and not named_in(text, body):
        return Phrased(None, f"heading '{text}' is one common word: too vague to ask about on its own")
    phrase = noun_phrase(asked)
    if defines(text, body):
        verb = "are" if re.search(rf"^(?:the |an? )?{re.escape(text)}\s+are\b", body.strip(), re.I) else "is"
        return Phrased(f"What {verb} {phrase}?")
    return Phrased(ABOUT[variant % len(ABOUT)].format(phrase))


CONJUNCTION = re.compile(r"\b(?:and|or)\b|,")


def activity(words: list[str]) -> bool:
    """A gerund heading that is one task with its object ("Booking a rental car", "Getting approval for leave"),
    not a gerund naming a kind of thing ("Mailing lists", "Working hours", "Staffing changes") or two tasks."""
    rest = " ".join(words[1:])
    two_tasks = any(gerund_base(word, following) for word, following in zip(words[1:], [*words[2:], ""], strict=True))
    if two_tasks or CONJUNCTION.search(rest) or words[1].lower() in PREPOSITIONS:
        return False
    second = words[1].lower()
    if second in OBJECT_START:
        return True
    return len(words) >= 3 and not (second.endswith("s") and not second.endswith("ss"))


# What follows the verb of a sentence-heading and never the head noun of a phrase: "shows less", "loses its",
# "charges from"; not "costs for conferences" (a noun phrase).
SYMPTOM_NEXT = {"the", "a", "an", "my", "your", "its", "their", "his", "her", "our", "less", "more", "no", "too",
                "from", "when", "after", "during", "every", "all", "itself", "unexpectedly"}  # fmt: skip


def symptom(words: list[str]) -> bool:
    """ "Battery shows less capacity than expected", "Hub loses its connection": a noun and a verb, a sentence
    (a symptom on a troubleshooting page), not a noun phrase to ask "Can you tell me about ...?" of."""
    verb_at = 2 if words[0].lower() in ("the", "a", "an", "my", "your") else 1
    if len(words) <= verb_at + 1 or "NOUN" not in lemmas(words[verb_at - 1]):
        return False
    verb = words[verb_at].lower()
    inflected = [lemma for lemma in lemmas(verb).get("VERB", ()) if lemma != verb]
    following = words[verb_at + 1].lower()
    return bool(inflected) and verb.endswith("s") and following in SYMPTOM_NEXT


def compound_noun(words: list[str]) -> bool:
    """ "Leave types", "Access requests", "Travel policy": a noun modifying a noun, not a verb and its object."""
    second = words[1].lower()
    if len(words) >= 3 and words[2].lower() in PREPOSITIONS | {"and", "or"}:
        return False  # "Book rooms for meetings", "Request keyboards and mice": a verb and its object
    return "NOUN" in lemmas(words[0]) and ((second.endswith("s") and not second.endswith("ss")) or only_noun(second))


def named_in(text: str, body: str) -> bool:
    """A one-word heading the body writes as a name mid-sentence ("Slack", "Docusign")."""
    if text not in body:
        return False
    return bool(re.search(rf"(?<=[a-z,;] ){re.escape(text)}\b", body)) and text.lower() not in body


@lru_cache(maxsize=8192)
def is_name(text: str) -> bool:
    """An acronym, a product or a proper name ("GitHub", "TSP", "HP-7"): specific on its own."""
    return any(
        sum(char.isupper() for char in word) >= 2 or any(char.isdigit() for char in word) or "." in word.strip(".")
        for word in text.split()
    )


# "Annual leave is time off", not "Bike parking is available in the basement" (where it is, not what it is).
DEFINING_VERB = re.compile(
    r"(?: \([^)]*\))?\s+(?:is|are|refers to|means)\s(?!(?:not |also |only |usually |generally |typically )?"
    r"(?:available|located|open|closed|free|limited|required|allowed|permitted|prohibited|provided|offered|"
    r"possible|on|in|at|near|next|by|held|found)\b)",
    re.I,
)


def defines(text: str, body: str) -> bool:
    """The section opens by defining its heading ("Annual leave is ..."), so "What is X?" fits."""
    opening = body[: len(text) + 200].lstrip().lower()  # string tests, not a pattern compiled per heading
    for article in ("the ", "an ", "a ", ""):
        if opening.startswith(article + text.lower()):
            return bool(DEFINING_VERB.match(opening, len(article) + len(text)))
    return False


ABOUT_PREFIX = re.compile(r"^about\s+", re.I)
PAGE_LABEL = re.compile(r"^(?:procedure|policy|guide|faq|how-to|runbook|playbook|checklist|reference)s?:\s+", re.I)


def context_subject(context: list[str], body: str) -> str | None:
    """The nearest ancestor heading (or the title) that names a specific subject, as a phrase."""
    for raw in context:
        text = PAGE_LABEL.sub("", ABOUT_PREFIX.sub("", clean_heading(raw)))
        if not text or NO_SUBJECT.match(text) or generic_template(text) is not None or text.endswith("?"):
            continue
        if FIRST_PERSON_PLURAL.search(text) or (len(content_words(text)) < 1):
            continue
        words = text.split(" ")
        if words[0].lower() in VERBS or any(pattern.match(text) for pattern, _ in WH_CLAUSE):
            continue  # an instruction or a clause does not read as "for X"
        if gerund_base(words[0], words[1] if len(words) > 1 else "") or words[0].lower() in ("to", "eligible"):
            continue  # an activity ("Joining the Engineering team"), a clause: not a thing with a timeline
        while len(words) > 1 and words[-1].lower() in ("playbook", "guide", "handbook", "policy", "page"):
            words = words[:-1]  # "External speaking request playbook": the requests, not the document
        return noun_phrase(first_person(sentence_case(" ".join(words), body)))
    return None
