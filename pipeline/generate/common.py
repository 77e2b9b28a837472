"""What every extractor shares: the EXAMPLE row builder, seeded template choice, and topic phrasing."""

import hashlib
import re
from collections.abc import Sequence
from json.encoder import encode_basestring  # type: ignore[attr-defined]

from pipeline.config import GenerateConfig
from pipeline.records import stable_id

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
    """An EXAMPLE row whose answer span is [start, end) of the document text."""
    return {
        "id": example_id(task, cfg.system_prompt, messages, section["source"], section["section"], start, end),
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


TURN_KEYS = {"role", "content"}


def example_id(
    task: str, system: str | None, messages: list[dict], source: str, section: str, start: int, end: int
) -> str:
    """`stable_id("sft", task, system, messages, source, section, start, end)`, its JSON written by hand: json.dumps
    took half the time of making an example. Anything but the shapes extractors write (string fields, turns of
    a role and a content, integer offsets) goes to stable_id itself (tests/test_generate_common.py)."""
    if (
        type(start) is not int
        or type(end) is not int
        or not all(type(turn) is dict and turn.keys() == TURN_KEYS for turn in messages)
    ):
        return stable_id("sft", task, system, messages, source, section, start, end)
    try:
        turns = ",".join(
            [
                f'{{"content":{encode_basestring(turn["content"])},"role":{encode_basestring(turn["role"])}}}'
                for turn in messages
            ]
        )
        head = f'["sft",{encode_basestring(task)},{"null" if system is None else encode_basestring(system)}'
        payload = f"{head},[{turns}],{encode_basestring(source)},{encode_basestring(section)},{start},{end}]"
    except TypeError:  # a field that is not a string
        return stable_id("sft", task, system, messages, source, section, start, end)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


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
