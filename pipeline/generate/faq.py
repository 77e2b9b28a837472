"""FAQ: questions as teams write them, each answered by the text under it.

Layouts: a question heading (with or without bold, "Q:" or a number in front) over its section; a bold
question line over its answer (`**How do I X?**` then a paragraph, in one block); answers that start
with "A:" (as a paragraph or a list item) lose the label. A question keeps a short answer ("On your
last day."): it was asked explicitly. A question that does not stand alone ("Who works here?",
"Interested but unsure?") is refused (`no_subject`): without its page it asks nothing.
"""

import re
from collections.abc import Iterator

from pipeline.blocks import Block
from pipeline.config import GenerateConfig
from pipeline.generate.anchor import MIN_QUESTION_WORDS, Page, anchor
from pipeline.generate.common import example, pair, refusal
from pipeline.generate.subject import FIRST_PERSON_PLURAL, WH_CLAUSE, clean_heading, first_person

QUESTION_LINE = re.compile(r"^\*{0,2}(?:Q(?:uestion)?\s*[:.]\s*)?(?P<q>[^\n*]{8,200}\?)\*{0,2}\n(?P<a>\S[\s\S]*)$")
ANSWER_LABEL = re.compile(r"^(?:[-*+]\s+)?(?:\*\*)?A(?:nswer)?\s*[:.](?:\*\*)?\s*", re.I)
ASKS = re.compile(
    r"^(?:how|what|when|where|why|who|whom|whose|which|can|could|should|shall|do|does|did|is|are|was|were|will|"
    r"would|may|might|must|have|has|am)\b",
    re.I,
)
# "Do you have an upcoming trip?", "Are you a supervisor?": a flowchart asking the reader; "Do you charge late
# fees?" asks the organisation and stays.
READER_QUESTION = re.compile(
    r"(?i)^(?:(?:do|did|will|would|can|could) you (?:have|need|want|plan|know|already|currently|travel|live|work|own|"
    r"use|feel|think|expect|intend|wish)\b|(?:are|were|have|has|is) you\b)"
)
DEICTIC = re.compile(
    r"\b(?:here|there|this|that|these|those|it|they|them|above|below)\s*\??$"
    r"|\b(?:this|these|those)\b|\bother\b(?! than)",
    re.I,
)


def extract(section: dict, blocks: list[Block], cfg: GenerateConfig) -> Iterator[dict]:
    offset = section["body_start"]
    heading = clean_heading(section["heading"])
    if heading.endswith("?") and blocks and not any(block.kind in ("qa", "dialogue") for block in blocks):
        start, end = answer_span(section["body"], 0, len(section["body"]))
        yield asked(section, cfg, heading, section["body"][start:end], offset + start, offset + end)
        return
    for block in blocks:
        text = block.text  # QUESTION_LINE needs a question mark and a line after it
        match = QUESTION_LINE.match(text) if block.kind == "paragraph" and "?" in text and "\n" in text else None
        if match:
            start, end = answer_span(section["body"], block.start + match.start("a"), block.end)
            question = clean_heading(" ".join(match.group("q").split()))
            yield asked(section, cfg, question, section["body"][start:end], offset + start, offset + end)


YOU = re.compile(r"\byour?\b", re.I)
ASKS_READER = re.compile(r"(?i)(?:do|did|are|were|have|has|will|would|can|could|is) you\b")


def as_asked(question: str) -> str:
    """A question heading written as a clause ("What to bring on day one?") as a person asks it, in the
    asker's words ("What advice do your colleagues have?" -> "What advice do my colleagues have?")."""
    if YOU.search(question) and not ASKS_READER.match(question):
        question = first_person(question)
    clause = question.rstrip("?")
    if clause[:2].lower() not in ("ho", "wh"):  # every WH_CLAUSE pattern opens with how/what/.../whether
        return question
    for pattern, template in WH_CLAUSE:
        match = pattern.match(clause)
        if match and not pattern.pattern.startswith("^how do"):
            return template.format(first_person(match.group(1)))
    return question


def answer_span(body: str, start: int, end: int) -> tuple[int, int]:
    """The answer without an "A:" label in front of it."""
    label = ANSWER_LABEL.match(body, start)
    return (label.end() if label and label.end() < end else start), end


def asked(section: dict, cfg: GenerateConfig, question: str, answer: str, start: int, end: int) -> dict:
    question = as_asked(question)
    problem = standalone_problem(question)
    if problem:
        return refusal(section, cfg, "faq", question, answer, start, end, "no_subject", problem)
    anchored = anchor(question, section.get("page") or Page(), MIN_QUESTION_WORDS)
    if anchored.prompt is None:
        return refusal(section, cfg, "faq", question, answer, start, end, "needs_context", anchored.reason)
    question = anchored.prompt
    return example(section, cfg, "faq", pair(question, answer), start, end)


def standalone_problem(question: str) -> str:
    """Why a question does not stand alone without its page, or "" when it does."""
    words = question.split()
    if question.count("?") > 1:
        return f"'{question}' asks several questions at once"
    if not ASKS.match(question):
        return f"'{question}' is not phrased as a question (no question word in front)"
    if len(words) < 3:
        return f"'{question}' is too short to name what it asks about"
    if READER_QUESTION.match(question):
        return f"'{question}' asks the reader (a step of a flowchart), not something a reader would ask"
    if FIRST_PERSON_PLURAL.search(question):
        return f"'{question}' says we/our without naming who"
    pointer = DEICTIC.search(question)
    if pointer:
        return f"'{question}' points at its page ('{pointer.group(0).strip(' ?')}') instead of naming it"
    return ""
