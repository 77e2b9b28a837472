"""Offline, rule-based instruction-response pairs taken verbatim from document sections.

Every answer is a span of the document text (`span_start`/`span_end`), so each example is grounded
by construction and traceable to its source. Three extractors:
- faq: a heading that is a question, answered by its section body;
- qa: `Q:` / `A:` blocks inside a body;
- heading: a descriptive heading with a prose body becomes an explain/describe instruction.
"""

import hashlib
import re
from collections.abc import Iterator

import polars as pl

from pipeline.config import GenerateConfig
from pipeline.records import EXAMPLE, REJECTED, Split, empty, reject, stable_id

QA_BLOCK = re.compile(r"^Q:[ \t]*(?P<q>\S.*(?:\n(?!A:)\S.*)*)\nA:[ \t]*(?P<a>\S.*(?:\n(?![QA]:)\S.*)*)", re.MULTILINE)
# Headings that organise other content rather than explain something themselves.
CONTAINER_HEADING = re.compile(
    r"\b(faq|frequently asked|questions|glossary|contents|table of contents|see also|references|appendix)\b", re.I
)
HEADING_TEMPLATES = (
    "Explain {topic}.",
    "Describe {topic}.",
    "What should I know about {topic}?",
    "Can you give me an overview of {topic}?",
)


def generate_extractive(sections: pl.DataFrame, documents: pl.DataFrame, cfg: GenerateConfig) -> Split:
    """Examples from every section; over-cap examples and documents that yield nothing are rejected."""
    rows = [example for section in sections.iter_rows(named=True) for example in extract_section(section, cfg)]
    examples = pl.DataFrame(rows, schema=EXAMPLE)
    capped = examples.with_columns(
        in_section=pl.int_range(pl.len()).over("doc_id", "section"),
        in_document=pl.int_range(pl.len()).over("doc_id"),
    )
    over = (pl.col("in_section") >= cfg.max_per_section) | (pl.col("in_document") >= cfg.max_per_document)
    kept = capped.filter(~over).drop("in_section", "in_document")
    over_cap = reject(
        capped.filter(over).drop("in_section", "in_document"),
        "generate",
        "over_cap",
        "generate.max_per_section or generate.max_per_document reached",
    )
    barren = documents.join(examples.select("doc_id").unique(), on="doc_id", how="anti")
    no_examples = reject(
        barren.select(
            id="doc_id", kind=pl.lit("document"), doc_id="doc_id", source="source", section=pl.lit(None, pl.String)
        ),
        "generate",
        "no_examples",
        f"no section matched an extractor ({', '.join(cfg.extractors)})",
    )
    rejected = pl.concat([over_cap, no_examples]) if over_cap.height + no_examples.height else empty(REJECTED)
    return Split(kept, rejected)


def extract_section(section: dict, cfg: GenerateConfig) -> Iterator[dict]:
    body, offset = section["body"], section["body_start"]
    blocks = list(QA_BLOCK.finditer(body))
    if "qa" in cfg.extractors:
        for block in blocks:
            question = " ".join(block.group("q").split())
            yield example(section, cfg, "qa", question, block.group("a"), offset + block.start("a"))
    if blocks:
        return
    heading = section["heading"]
    if "faq" in cfg.extractors and heading.endswith("?"):
        yield example(section, cfg, "faq", heading, body, offset)
    elif (
        "heading" in cfg.extractors
        and heading
        and not heading.endswith("?")
        and not CONTAINER_HEADING.search(heading)
        and len(body) >= cfg.min_body_chars
    ):
        yield example(section, cfg, "heading", heading_prompt(section, cfg.seed), body, offset)


def heading_prompt(section: dict, seed: int) -> str:
    """A seeded template choice, stable per section, so reruns phrase every prompt the same way."""
    heading, title = section["heading"], section["title"]
    topic = heading if section["level"] <= 1 or heading == title else f"{heading} ({title})"
    digest = hashlib.sha256(f"{seed}\x00{section['doc_id']}\x00{section['section']}".encode()).digest()
    template = HEADING_TEMPLATES[int.from_bytes(digest[:4], "big") % len(HEADING_TEMPLATES)]
    return template.format(topic=topic)


def example(section: dict, cfg: GenerateConfig, task: str, prompt: str, answer: str, start: int) -> dict:
    messages = [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]
    span_end = start + len(answer)
    return {
        "id": stable_id(
            "sft", task, cfg.system_prompt, messages, section["source"], section["section"], start, span_end
        ),
        "kind": "sft",
        "task": task,
        "system": cfg.system_prompt,
        "messages": messages,
        "doc_id": section["doc_id"],
        "source": section["source"],
        "section": section["section"],
        "span_start": start,
        "span_end": span_end,
        "generator": f"extractive:{task}",
    }
