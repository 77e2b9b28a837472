"""What every extractor shares: the EXAMPLE row builder, seeded template choice, and topic phrasing."""

import hashlib
import re
from collections.abc import Sequence

import polars as pl

from pipeline.config import GenerateConfig
from pipeline.records import stable_ids

# Headings that organise other content rather than name a topic of their own.
CONTAINER_HEADING = re.compile(
    r"\b(faq|frequently asked|questions|glossary|contents|table of contents|see also|references|appendix|"
    r"definitions|terms)\b",
    re.I,
)


def choose(templates: Sequence[str], seed: int, *key: object) -> str:
    """A template picked by a hash of the seed and a stable key: varied across examples, same on every rerun."""
    digest = hashlib.sha256("\x00".join(map(str, (seed, *key))).encode()).digest()
    return templates[int.from_bytes(digest[:4], "big") % len(templates)]


def lower_first(phrase: str) -> str:
    """'Defrost cycle' -> 'defrost cycle', but 'HP-7 setup', 'Brightwater Hub' and 'COP' keep their case."""
    first, _, rest = phrase.partition(" ")
    keep = (
        not first[:1].isupper()
        or any(ch.isdigit() for ch in first)
        or sum(ch.isupper() for ch in first) > 1
        or (rest[:1].isupper() and rest[:1].isalpha())
    )
    return phrase if keep else first[:1].lower() + first[1:] + (" " + rest if rest else "")


WH_WORDS = {"what", "how", "when", "why", "where", "which", "who", "whether"}
NO_ARTICLE = WH_WORDS | {
    "a", "an", "the", "this", "these", "those", "our", "your", "my", "their", "its", "before", "after", "during",
    "if", "to", "for", "with", "without", "about", "in", "on", "at", "from", "all", "some", "other", "common",
}  # fmt: skip


def topic(heading: str) -> tuple[str, str]:
    """(shape, phrase) of a heading for templates: 'wh' (a clause), 'gerund' (an activity) or 'noun'.

    'When to use the quick estimate' -> ('wh', 'when to use the quick estimate');
    'Resetting the Hub' -> ('gerund', 'resetting the Hub'); 'Defrost cycle' -> ('noun', 'the defrost cycle').
    """
    first = heading.split(" ", 1)[0].lower()
    phrase = lower_first(heading)
    if first in WH_WORDS:
        return "wh", phrase
    if first.endswith("ing") and len(first) > 5:
        return "gerund", phrase
    if phrase[:1].islower() and first not in NO_ARTICLE:
        phrase = f"the {phrase}"
    return "noun", phrase


def example(section: dict, cfg: GenerateConfig, task: str, messages: list[dict], start: int, end: int) -> dict:
    """An EXAMPLE row whose answer span is [start, end) of the document text; its `id` is written once the rows
    are a frame (`with_example_ids`)."""
    return {
        "kind": "sft",
        "task": task,
        "system": cfg.system_prompt,
        "messages": messages,
        "doc_id": section["doc_id"],
        "source": section["source"],
        "section": section["section"],
        "span_start": start,
        "span_end": end,
        "generator": f"extractive:{task}",
    }


def with_example_ids(rows: pl.DataFrame) -> pl.DataFrame:
    """`id`: `stable_id("sft", task, system, messages, source, section, span_start, span_end)` of every row."""
    fields = ["task", "system", "messages", "source", "section", "span_start", "span_end"]
    return rows.with_columns(id=stable_ids(rows, "sft", fields))


def refusal(
    section: dict,
    cfg: GenerateConfig,
    task: str,
    asked: str,
    answer: str,
    start: int,
    end: int,
    reason: str,
    detail: str,
) -> dict:
    """A candidate the extractor will not write (no natural prompt for the passage), kept to say why.

    It becomes a reject of the generate step with `reason`, so the report counts what was passed over.
    """
    row = example(section, cfg, task, pair(asked, answer), start, end)
    return {**row, "_reason": reason, "_detail": detail}


def pair(question: str, answer: str) -> list[dict]:
    return [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
