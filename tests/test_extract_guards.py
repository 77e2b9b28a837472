"""The extract stage's shortcuts against the code they replaced, kept here verbatim: the guards that skip an
extractor (extractive.CAN_YIELD), the FAQ conversations made by one group-by, and the page contexts counted by
one lazy query. Sections are made of lines with and without the characters the guards look for."""

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.blocks import split_blocks
from pipeline.config import GenerateConfig
from pipeline.generate.common import example
from pipeline.generate.extractive import (
    CAN_YIELD,
    EXTRACTORS,
    extract_section,
    generate_extractive,
    group_faq_conversations,
    page_contexts,
    span,
)
from pipeline.records import EXAMPLE, stable_id
from pipeline.sections import split_sections

LINES = [
    "How do I reset the Hub?", "**How do I book a room?**", "Q: What is the TSP?", "A: A savings plan.",
    "Answer: On your last day.", "Agent: Hello there.", "Customer: My heat pump is off.", "Agent: Try a reset.",
    "**Defrost cycle**: the unit warms its coil.", "Backup reserve: the charge kept back.", "| Model | Range |",
    "|---|---|", "| HP-7 | 40 km |", "- Open the app", "1. Press reset", "The Brightwater Cell is a battery.",
    "Use BookIt to reserve rooms in the Concur office.", "You can email the desk.", "```", "> a quote",
    "Note: call us first.", "", "",
]  # fmt: skip
HEADINGS = ["# Guide to Concur", "## FAQ", "## Frequently asked questions", "### Why does the filter stop?",
            "## Resetting the Hub", "## Glossary", "## Defrost cycle", "### Booking a rental car",
            "## Chat log", "## Laws and regulations", "## What to bring on day one?", "# Travel"]  # fmt: skip
PART = st.tuples(st.sampled_from(HEADINGS), st.lists(st.sampled_from(LINES), min_size=1, max_size=8))
PAGE = st.lists(PART, min_size=1, max_size=6).map(
    lambda parts: "\n\n".join(f"{heading}\n\n" + "\n".join(lines) for heading, lines in parts)
)
CONFIGS = [GenerateConfig(extractors=list(EXTRACTORS)), GenerateConfig(), GenerateConfig(faq_conversations=True)]


def sections_of(pages: list[str]) -> pl.DataFrame:
    docs = pl.DataFrame(
        {
            "doc_id": [f"d{index % 2}{index}" for index in range(len(pages))],
            "source": [f"page-{index}.md" for index in range(len(pages))],
            "text": pages,
            "title": [None if index % 3 == 0 else "Guide to Concur" for index in range(len(pages))],
        }
    )
    return split_sections(docs)


@settings(max_examples=150, deadline=None)
@given(st.lists(PAGE, min_size=1, max_size=3))
def test_a_skipped_extractor_would_have_made_nothing(pages: list[str]) -> None:
    sections = sections_of(pages).with_columns(has_children=pl.lit(False))
    cfg = CONFIGS[0]
    for section in sections.iter_rows(named=True):
        blocks = split_blocks(section["body"])
        every = [row for name in cfg.extractors for row in EXTRACTORS[name](section, blocks, cfg)]
        assert list(extract_section(section, cfg)) == every
        for name, can_yield in CAN_YIELD.items():
            if not can_yield(section):
                assert list(EXTRACTORS[name](section, blocks, cfg)) == []


def old_group_faq_conversations(examples: pl.DataFrame, cfg: GenerateConfig) -> pl.DataFrame:
    parent = pl.col("section").str.replace(r" > [^>]*$", "")
    faqs = examples.filter(pl.col("task") == "faq").with_columns(_parent=parent)
    merged = []
    for group in faqs.partition_by("doc_id", "_parent", maintain_order=True):
        if group.height < 2:
            merged += group.drop("_parent").to_dicts()
            continue
        first = group.row(0, named=True)
        messages = [turn for turns in group["messages"].to_list() for turn in turns]
        section = {**first, "section": first["_parent"]}
        start, end = span(group["span_start"].min()), span(group["span_end"].max())
        row = example(section, cfg, "faq_conversation", messages, start, end)
        place = (section["source"], section["section"])
        row["id"] = stable_id("sft", "faq_conversation", cfg.system_prompt, messages, *place, start, end)
        merged.append(row)
    others = examples.filter(pl.col("task") != "faq")
    return pl.concat([pl.DataFrame(merged, schema=EXAMPLE), others]).sort("source", "span_start", maintain_order=True)


def old_page_contexts(sections: pl.DataFrame) -> dict:
    from pipeline.generate.anchor import page_context

    runs = pl.col("body").str.extract_all(r"[a-z,;] [A-Z][\w'’-]*(?: [A-Z0-9][\w'’-]*)*")
    capitalised = (
        sections.select("doc_id", run=runs)
        .explode("run")
        .select("doc_id", word=pl.col("run").str.slice(2).str.split(" "))
        .explode("word")
    )
    lower = sections.select("doc_id", word=pl.col("body").str.extract_all(r"\b[a-z][\w'’-]+")).explode("word")
    counts = (
        capitalised.drop_nulls()
        .group_by("doc_id", "word")
        .len("capitalised")
        .with_columns(low=pl.col("word").str.to_lowercase())
        .join(
            lower.drop_nulls().group_by("doc_id", "word").len("lower"),
            left_on=["doc_id", "low"],
            right_on=["doc_id", "word"],
            how="left",
        )
    )
    names = counts.filter(pl.col("capitalised") > pl.col("lower").fill_null(0)).group_by("doc_id").agg("word")
    named = {doc_id: set(words) for doc_id, words in names.iter_rows()}
    never_lower = counts.filter(pl.col("lower").is_null()).group_by("doc_id").agg("word")
    always = {doc_id: frozenset(words) for doc_id, words in never_lower.iter_rows()}
    titles = sections.group_by("doc_id").agg(pl.col("title").first())
    return {
        doc_id: page_context(title or "", named.get(doc_id, set()), always.get(doc_id, frozenset()))
        for doc_id, title in titles.iter_rows()
    }


MIXED_CASE = ["the Brightwater Cell", "a brightwater cell", "in Concur", "on Slack", "the Handbook", "the handbook",
              "cells", "; Google Calendar", ", Tock", "tock", "New York City"]  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from(LINES + MIXED_CASE), max_size=10).map(" ".join), min_size=1, max_size=6))
def test_page_contexts_as_before(bodies: list[str]) -> None:
    sections = pl.DataFrame(
        {
            "doc_id": [f"d{index % 3}" for index in range(len(bodies))],
            "title": [None if index % 4 == 0 else f"Guide to Concur {index % 2}" for index in range(len(bodies))],
            "body": bodies,
        }
    )
    assert page_contexts(sections) == old_page_contexts(sections)


@settings(max_examples=100, deadline=None)
@given(st.lists(PAGE, min_size=1, max_size=4))
def test_faq_conversations_as_before(pages: list[str]) -> None:
    examples, _ = generate_extractive(sections_of(pages), CONFIGS[1])
    cfg = CONFIGS[2]
    assert group_faq_conversations(examples, cfg).equals(old_group_faq_conversations(examples, cfg))
    assert group_faq_conversations(examples.clear(), cfg).equals(old_group_faq_conversations(examples.clear(), cfg))
