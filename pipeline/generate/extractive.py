"""Offline, rule-based instruction-response pairs taken verbatim from document sections.

Each section body is split into blocks once; every enabled extractor (one small module each) reads the
blocks and yields EXAMPLE rows whose answers are exact spans of the document text (`span_start`/
`span_end`), so every example is grounded by construction and traceable to its source. Caps per
section and per document keep one long page from dominating, and a cap on each task's share of a
document's examples keeps one extractor (a long table, say) from dominating it; capped examples are
rejected (`over_share`, `over_cap`), not lost.
"""

from collections.abc import Callable, Iterator

import polars as pl

from pipeline.blocks import Block, split_blocks
from pipeline.config import GenerateConfig
from pipeline.generate import definition, dialogue, faq, glossary, heading, lists, qa, table
from pipeline.generate.anchor import Page, page_context
from pipeline.generate.common import example, with_example_ids
from pipeline.generate.rows import rows_frame
from pipeline.records import EXAMPLE, Split, concat_rejects, reject

REFUSED = {"_reason": pl.String, "_detail": pl.String}  # a candidate an extractor would not write, and why
MIN_PER_KIND = 5  # generate.max_share_per_kind never caps a task below this many examples in a document
Extractor = Callable[[dict, list[Block], GenerateConfig], Iterator[dict]]
EXTRACTORS: dict[str, Extractor] = {
    "faq": faq.extract,
    "qa": qa.extract,
    "glossary": glossary.extract,
    "definition": definition.extract,
    "heading": heading.extract,
    "table": table.extract,
    "list": lists.extract,
    "dialogue": dialogue.extract,
}


def generate_extractive(sections: pl.DataFrame, cfg: GenerateConfig) -> Split:
    """Examples from every section; those over a task's share or the section or document caps are rejected."""
    pages = page_contexts(sections)
    rows = [
        row
        for section in with_children(sections).iter_rows(named=True)
        for row in extract_section(with_page(section, pages), cfg)
    ]
    refused = with_example_ids(rows_frame([row for row in rows if "_reason" in row], {**EXAMPLE, **REFUSED}))
    examples = with_example_ids(rows_frame([row for row in rows if "_reason" not in row], EXAMPLE))
    if cfg.faq_conversations:
        examples = group_faq_conversations(examples, cfg)
    examples, over_share = cap_share_per_kind(examples, cfg.max_share_per_kind)
    capped = examples.with_columns(
        in_section=pl.int_range(pl.len()).over("doc_id", "section"),
        in_document=pl.int_range(pl.len()).over("doc_id"),
    )
    over = (pl.col("in_section") >= cfg.max_per_section) | (pl.col("in_document") >= cfg.max_per_document)
    detail = "generate.max_per_section or generate.max_per_document reached"
    rejected = reject(capped.filter(over).drop("in_section", "in_document"), "over_cap", detail)
    refusals = reject(refused, pl.col("_reason"), pl.col("_detail")).drop(*REFUSED)
    kept = capped.filter(~over).drop("in_section", "in_document")
    return Split(kept, concat_rejects([refusals, over_share, rejected]))


def with_page(section: dict, pages: dict[str, Page]) -> dict:
    """The row dict polars made for this section alone, given its page (no copy of every field per section)."""
    section["page"] = pages[section["doc_id"]]
    return section


def page_contexts(sections: pl.DataFrame) -> dict[str, Page]:
    """Each document's Page (pipeline.generate.anchor): its title, and the names its text writes capitalised
    mid-sentence more often than in lower case ("in Concur", "on Slack"; not "the Handbook" if it also says
    "the handbook"). A stricter rule (never in lower case) lost "Brightwater Cell" on a page that says "cells",
    and a blind grade of the sample corpus fell from 85% to 77% with it."""
    runs = pl.col("body").str.extract_all(r"[a-z,;] [A-Z][\w'’-]*(?: [A-Z0-9][\w'’-]*)*")  # "the Brightwater Cell"
    capitalised = (
        sections.lazy()
        .select("doc_id", run=runs)
        .explode("run")
        .select("doc_id", word=pl.col("run").str.slice(2).str.split(" "))
        .explode("word")
        .drop_nulls()
        .group_by("doc_id", "word")
        .len("capitalised")
        .with_columns(low=pl.col("word").str.to_lowercase())
    )
    lower = sections.lazy().select("doc_id", word=pl.col("body").str.extract_all(r"\b[a-z][\w'’-]+")).explode("word")
    asked = capitalised.select("doc_id", word="low").unique()  # only these lower-case words are ever looked up
    lower_counts = lower.join(asked, on=["doc_id", "word"], how="semi").group_by("doc_id", "word").len("lower")
    counts = capitalised.join(lower_counts, left_on=["doc_id", "low"], right_on=["doc_id", "word"], how="left")
    names, never_lower, titles = pl.collect_all(
        [
            counts.filter(pl.col("capitalised") > pl.col("lower").fill_null(0)).group_by("doc_id").agg("word"),
            counts.filter(pl.col("lower").is_null()).group_by("doc_id").agg("word"),
            sections.lazy().group_by("doc_id").agg(pl.col("title").first()),
        ]
    )
    named = {doc_id: set(words) for doc_id, words in names.iter_rows()}
    always = {doc_id: frozenset(words) for doc_id, words in never_lower.iter_rows()}
    return {
        doc_id: page_context(title or "", named.get(doc_id, set()), always.get(doc_id, frozenset()))
        for doc_id, title in titles.iter_rows()
    }


def with_children(sections: pl.DataFrame) -> pl.DataFrame:
    """`has_children`: the next section of the document sits under this one (its path continues this one's), so
    this one's body is only an introduction. The path, not the level: a body-less heading ("## FAQ") is not a
    section, and the questions under it are not children of the section before it."""
    deeper = pl.col("section").shift(-1).over("doc_id").str.starts_with(pl.col("section") + " > ")
    return sections.with_columns(has_children=deeper.fill_null(False))


def cap_share_per_kind(examples: pl.DataFrame, share: float) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(kept, REJECTED `over_share`): no task makes more than `share` of a document's generated examples.

    The cap is share x the document's generated examples, never below MIN_PER_KIND; within a task the
    earliest examples (generation order: section by section, extractor by extractor) are kept. A page
    with one kind of example (a glossary, a FAQ page, a handbook page of prose sections) is what it is:
    the cap is for one extractor crowding out the others, such as a large table on a prose page.
    """
    helper = ["_nth", "_cap", "_made", "_kinds"]
    counted = examples.with_columns(
        _nth=pl.int_range(pl.len()).over("doc_id", "task"),
        _made=pl.len().over("doc_id"),
        _kinds=pl.col("task").n_unique().over("doc_id"),
    ).with_columns(_cap=(pl.col("_made") * share).floor().cast(pl.Int64).clip(lower_bound=MIN_PER_KIND))
    over = (pl.col("_nth") >= pl.col("_cap")) & (pl.col("_kinds") > 1)
    detail = pl.format(
        "generate.max_share_per_kind: {} keeps {} {} examples of the {} this document made",
        pl.lit(share),
        "_cap",
        "task",
        "_made",
    )
    rejected = reject(counted.filter(over), "over_share", detail).drop(helper)
    return counted.filter(~over).drop(helper), rejected


# What a section must hold for each extractor to make anything of it, read from its fields before its body is split
# into blocks: a question mark (faq), a colon (a Q:/A: block, a definition line, a speaker), a table row's bar, a
# heading whole_body asks about (heading, list). Most sections fail most of these, and most extractors are then not
# called at all, nor split_blocks when none is; what they would have returned is nothing (tests/test_extract_guards.py).
CAN_YIELD: dict[str, Callable[[dict], bool]] = {
    "faq": lambda section: "?" in section["body"] or "?" in section["heading"],
    "qa": lambda section: ":" in section["body"],
    "glossary": lambda section: ":" in section["body"] or "**" in section["body"],
    "definition": lambda section: True,
    "heading": lambda section: heading.askable_heading(section) is not None,
    "table": lambda section: "|" in section["body"],
    "list": lambda section: heading.askable_heading(section) is not None,
    "dialogue": lambda section: ":" in section["body"],
}


def extract_section(section: dict, cfg: GenerateConfig) -> Iterator[dict]:
    names = [name for name in cfg.extractors if CAN_YIELD[name](section)]
    if not names:
        return
    blocks = split_blocks(section["body"])
    for name in names:
        yield from EXTRACTORS[name](section, blocks, cfg)


def group_faq_conversations(examples: pl.DataFrame, cfg: GenerateConfig) -> pl.DataFrame:
    """Consecutive FAQ pairs under one parent heading -> one multi-turn conversation (task faq_conversation).

    A parent's pairs are gathered by one group-by; only the merged conversations are made in Python (their ids),
    and every group keeps the place of its first pair, as a partition of the FAQ rows by parent would."""
    parent = pl.col("section").str.replace(r" > [^>]*$", "")
    faqs = examples.filter(pl.col("task") == "faq").with_columns(_parent=parent, _nth=pl.int_range(pl.len()))
    faqs = faqs.with_columns(
        _group=pl.col("_nth").first().over("doc_id", "_parent"), _size=pl.len().over("doc_id", "_parent")
    )
    groups = (
        faqs.filter(pl.col("_size") > 1)
        .group_by("_group", maintain_order=True)
        .agg(
            pl.col("doc_id", "source", "_parent").first(),
            pl.col("messages").explode(),
            pl.col("span_start").min(),
            pl.col("span_end").max(),
        )
    )
    merged = [
        example(
            {"doc_id": doc_id, "source": source, "section": section},
            cfg,
            "faq_conversation",
            messages,
            span(start),
            span(end),
        )
        for doc_id, source, section, messages, start, end in groups.drop("_group").iter_rows()
    ]
    conversations = with_example_ids(pl.DataFrame(merged, schema=EXAMPLE)).with_columns(groups["_group"])
    singles = faqs.filter(pl.col("_size") == 1).select(*EXAMPLE, "_group")
    faq_rows = pl.concat([singles, conversations]).sort("_group", maintain_order=True).drop("_group")
    others = examples.filter(pl.col("task") != "faq")
    return pl.concat([faq_rows, others]).sort("source", "span_start", maintain_order=True)


def span(value: object) -> int:
    """A span offset from a column aggregate (polars types min/max as any scalar)."""
    if not isinstance(value, int):
        raise TypeError(f"span offsets are integers, got {value!r}")
    return value


def reject_barren_documents(documents: pl.DataFrame, candidates: pl.DataFrame, extractors: list[str]) -> pl.DataFrame:
    """REJECTED rows for documents no example came from (`candidates`: every example, kept or rejected)."""
    barren = documents.join(candidates.select("doc_id").unique(), on="doc_id", how="anti")
    rows = barren.select(id="doc_id", kind=pl.lit("document"), doc_id="doc_id", source="source")
    return reject(rows, "no_examples", f"no section matched an extractor ({', '.join(extractors)})")
