"""The faster per-row functions of the extract stage against the code they replaced, kept here verbatim.

Each function below skips work (a pattern whose required text is absent, a word that cannot be a name) or reads
a value once instead of twice; these tests check on varied inputs that the answers are the same.
"""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.blocks import ANSWER_LINE, BOLD_TERM, FENCE, LIST_ITEM, PLAIN_TERM, QA_LINE, SPEAKER, TABLE_ROW, classify
from pipeline.generate.anchor import FRAME, MIN_SPECIFIC_WORDS, WORD, Page, anchor, heading_name, names_something, stem
from pipeline.generate.faq import as_asked
from pipeline.generate.subject import (
    ACRONYM_FIRST,
    MARKUP,
    NUMBERING,
    PRONOUNS,
    QA_PREFIX,
    TRAILING_LABEL,
    WH_CLAUSE,
    Phrased,
    clean_heading,
    first_person,
    heading_capital,
    is_name,
    named_in,
)
from pipeline.generate.verbs import acronym
from pipeline.generate.written import LOWER_CASE_WORD, MID_SENTENCE_NAME, named_words, written_as_name, written_lower

WORDS = ["how", "to", "What", "you", "your", "You're", "help you", "Q:", "Step 2:", "1.", "a)", "iv.", "the", "TSP",
         "FERS", "(Federal Employees Retirement System)", "[link](http://x)", "**bold**", "_em_", "`code`", "<b>",
         "{#id}", "{{ x }}", "- example", "—", "Concur", "in", "New York", "when", "if", "I", "MAX.gov", "HP-7",
         "Agent:", "Customer:", "Term: means", "| a | b |", "> quote", "A:", "Answer:", "```", "?", ",", "Why",
         "Whether", "who", "where", "filter", "resets", "Brightwater", "Cell", "é", "İ", "ſ", "x²", "don't"]  # fmt: skip
PHRASE = st.lists(st.sampled_from(WORDS) | st.text(max_size=6), max_size=8).map(" ".join)


def old_clean_heading(heading: str) -> str:
    text = heading
    for pattern, replacement in MARKUP:
        text = pattern.sub(replacement, text)
    text = QA_PREFIX.sub("", NUMBERING.sub("", text.strip()))
    text = TRAILING_LABEL.sub("", " ".join(text.split()))
    text = ACRONYM_FIRST.sub(r"\2 (\1)", text)
    return text.strip(" :;-–—!").strip()


def old_first_person(text: str) -> str:
    for pattern, replacement in PRONOUNS:
        text = pattern.sub(replacement, text)
    return re.sub(r"\bI\b(?= (?:am|was)\b)", "I", text)


def old_as_asked(question: str) -> str:
    if re.search(r"\byour?\b", question, re.I) and not re.match(
        r"(?i)(?:do|did|are|were|have|has|will|would|can|could|is) you\b", question
    ):
        question = first_person(question)
    for pattern, template in WH_CLAUSE:
        match = pattern.match(question.rstrip("?"))
        if match and not pattern.pattern.startswith("^how do"):
            return template.format(first_person(match.group(1)))
    return question


def old_classify(lines: list[str]) -> str:
    first = lines[0]
    if FENCE.match(first):
        return "code"
    if all(TABLE_ROW.match(line) for line in lines) and len(lines) >= 2:
        return "table"
    if LIST_ITEM.match(first):
        return "list"
    if all(line.lstrip().startswith(">") for line in lines):
        return "quote"
    if QA_LINE.match(first) and any(ANSWER_LINE.match(line) for line in lines):
        return "qa"
    if all(BOLD_TERM.match(line) for line in lines):
        return "definitions"
    speakers = [SPEAKER.match(line) for line in lines]
    said = [match.group("speaker") for match in speakers if match]
    if speakers[0] and len(said) >= 3 and 2 <= len(set(said)) <= 4 and len(set(said)) < len(said):
        return "dialogue"
    if all(PLAIN_TERM.match(line) for line in lines):
        return "definitions"
    return "paragraph"


def old_names_something(prompt: str) -> bool:
    words = WORD.findall(prompt)
    return any(is_name(word) or (index and word[:1].isupper() and word != "I") for index, word in enumerate(words))


def old_anchor(prompt, page, min_words=MIN_SPECIFIC_WORDS, ancestors=()):
    stems = {stem(word) for word in WORD.findall(prompt) if word.lower() not in FRAME}
    named_place = re.search(r" in (?:the )?[A-Z0-9]", prompt[1:])
    specific = [word for word in WORD.findall(prompt) if len(word) >= 3 and word.lower() not in FRAME]
    clause = " when " in prompt or " if " in prompt
    own_name = old_names_something(prompt)
    if page.activity and not page.stems & stems and len(specific) <= min_words and not clause and not own_name:
        return Phrased(f"{prompt[:-1]} when {page.activity}{prompt[-1]}")
    said = page.name and (
        page.name.lower() in prompt.lower() or all(stem(word) in stems for word in WORD.findall(page.name))
    )
    if (
        page.name
        and page.activity
        and page.name in page.activity
        and not said
        and not own_name
        and not page.stems & stems
        and len(specific) <= min_words + 2
    ):
        if clause:
            return Phrased(f"When {page.activity}, {prompt[:1].lower()}{prompt[1:]}")
        return Phrased(f"{prompt[:-1]} when {page.activity}{prompt[-1]}")
    if page.name and not named_place and not said and not own_name and len(specific) <= min_words + 2:
        if len(specific) <= min_words and not clause:
            return Phrased(f"{prompt[:-1]} in {page.name}{prompt[-1]}")
        return Phrased(f"In {page.name}, {prompt[:1].lower()}{prompt[1:]}")
    if old_names_something(prompt) or page.stems & stems:
        return Phrased(prompt)
    place = next((name for heading in ancestors if (name := heading_name(heading, page.names))), None)
    if place:
        return Phrased(f"{prompt[:-1]} in {place}{prompt[-1]}")
    if page.activity and len(specific) < min_words and not clause:
        return Phrased(f"{prompt[:-1]} when {page.activity}{prompt[-1]}")
    if len(specific) >= min_words:
        return Phrased(prompt)
    return Phrased(
        None,
        f"'{prompt}' names neither its page's subject nor anything else specific ({len(specific)} words of its own, "
        f"fewer than {min_words}), and the page's title gives no name or activity to add",
    )


@settings(max_examples=500)
@given(PHRASE)
def test_clean_heading(heading):
    assert clean_heading(heading) == old_clean_heading(heading)


@settings(max_examples=500)
@given(PHRASE)
def test_first_person(text):
    assert first_person(text) == old_first_person(text)


@settings(max_examples=500)
@given(PHRASE.map(lambda text: text + "?") | PHRASE)
def test_as_asked(question):
    assert as_asked(question) == old_as_asked(question)


@settings(max_examples=500)
@given(st.lists(PHRASE, min_size=1, max_size=5))
def test_classify(lines):
    assert classify(lines) == old_classify(lines)


PAGES = st.builds(
    Page,
    st.none() | st.sampled_from(["Concur", "New York City", "TTS"]),
    st.none() | st.sampled_from(["doing research at TTS", "getting access to Concur"]),
    st.frozensets(st.sampled_from(["filter", "concur", "research", "cell"])),
    st.frozensets(st.sampled_from(["Concur", "Brightwater", "Cell", "York"])),
)


@settings(max_examples=500)
@given(PHRASE.map(lambda text: text + "?"), PAGES, st.integers(1, 4), st.lists(PHRASE, max_size=2))
def test_anchor(prompt, page, min_words, ancestors):
    assert names_something(prompt) == old_names_something(prompt)
    assert anchor(prompt, page, min_words, ancestors) == old_anchor(prompt, page, min_words, ancestors)


def old_heading_capital(first: str, second: str, prompt: str, body: str) -> bool:
    if not (first[:1].isupper() and first[1:].islower() and second[:1].islower()) or acronym(first):
        return False
    if not re.search(rf"(?<=\s){re.escape(first)} {re.escape(second)}\b", prompt):
        return False
    alone = rf"(?<=[a-z,;] ){re.escape(first)}(?:[.,;:!?)]|\s+[a-z(])"
    return not re.search(alone, body)


def old_named_in(text: str, body: str) -> bool:
    return bool(re.search(rf"(?<=[a-z,;] ){re.escape(text)}\b", body)) and text.lower() not in body


BODY_WORDS = ["Handoff", "handoff", "to", "partner", "in", "Slack", "slack", "and", "the", ",", ".", "Engagement",
              "manager", "(", "Docusign"]  # fmt: skip
BODY = st.lists(st.sampled_from(BODY_WORDS), max_size=12).map(" ".join)


@settings(max_examples=500)
@given(st.sampled_from(BODY_WORDS), st.sampled_from(BODY_WORDS), BODY, BODY)
def test_heading_capital_and_named_in(first, second, prompt, body):
    assert heading_capital(first, second, prompt, body) == old_heading_capital(first, second, prompt, body)
    assert named_in(first, body) == old_named_in(first, body)


BODY_TEXT = st.lists(
    st.sampled_from(
        [
            "a",
            "Zb",
            "; Zb",
            "a Yc",
            ", Ab",
            "Ab-",
            " ",
            ",",
            ";",
            ".",
            "-",
            "'",
            "’",
            "_",
            "9",
            "é",
            "\n",
            "İ",
            "ſ",
            "bc",
        ]
    )
    | st.characters(),
    max_size=30,
).map("".join)


@settings(max_examples=1000)
@given(
    BODY_TEXT | BODY,
    st.lists(
        st.sampled_from(["Zb", "Yc", "Ab", "Ab-", "b", "a", "bc", "é", "Slack", "slack", "in"]) | st.text(max_size=4),
        max_size=4,
    ).map("".join),
)
def test_written_words(body, asked):
    lowered = frozenset(re.findall(r"\b[a-z][\w'’-]*\b", body))
    named = frozenset(re.findall(r"(?<=[a-z,;] )[A-Z][a-z][\w'’-]*", body))
    assert LOWER_CASE_WORD.findall(body) == re.findall(r"\b[a-z][\w'’-]*\b", body)
    assert MID_SENTENCE_NAME.findall(body) == re.findall(r"(?<=[a-z,;] )[A-Z][a-z][\w'’-]*", body)
    assert named_words.__wrapped__(body) == named
    # Every word the body holds, every piece of one, and words it does not hold.
    pieces = {body[start:end] for start in range(len(body)) for end in range(start + 1, min(len(body), start + 8) + 1)}
    for word in {asked, *lowered, *named, *pieces}:
        assert written_lower(word, body) == (word in lowered), word
        assert written_as_name(word, body) == (word in named), word
