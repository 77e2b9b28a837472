"""The quality report's detail: coverage, token histograms and outliers, language mix, findings,
duplicate clusters, and a few examples of each rejection reason.

Everything is computed from the run's frames (documents, sections, kept and rejected examples), so
it cannot disagree with the outputs; lists are capped, counts are complete.
"""

import itertools

import numpy as np
import polars as pl

from pipeline.language import PREFIX, label_texts, rank_rows, rank_texts
from pipeline.partitions import IN_PROCESS, Mapper
from pipeline.records import answer_text, prompt_text
from pipeline.report.ledger import input_documents

LISTED = 25
EXAMPLES_PER_REASON = 3
TOKEN_BINS = (0, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384)


def coverage(documents: pl.DataFrame, sections: pl.DataFrame, kept: pl.DataFrame, rejected: pl.DataFrame) -> dict:
    """Documents and sections that yielded no kept example, each with why.

    Only the columns it reads are joined and sorted: at a million generated examples the sections' other
    columns, sorted with them, were 0.6 GB of the report's peak."""
    sections = sections.select("doc_id", "section", "source", "body_start")
    examples = rejected.select("kind", "doc_id", "section", "reject_stage", "reject_reason").filter(
        pl.col("kind") != "document"
    )
    candidates = pl.concat([kept.select("doc_id", "section"), examples.select("doc_id", "section")])
    kept_sections = kept.select("doc_id", "section").unique()
    empty = sections.join(kept_sections, on=["doc_id", "section"], how="anti").sort("source", "body_start")
    # Why, for the listed sections only: the reasons of every section of a million examples are lists of strings.
    listed = empty.head(LISTED)
    by_section = (
        examples.join(listed, on=["doc_id", "section"], how="semi")
        .group_by("doc_id", "section")
        .agg(reasons=pl.concat_str("reject_stage", "reject_reason", separator=".").unique().sort())
    )
    listed = listed.join(by_section, on=["doc_id", "section"], how="left", maintain_order="left").with_columns(
        reason=pl.when(pl.col("reasons").is_null())
        .then(pl.lit("no extractable block (FAQ, Q/A, definition, table, list or explained heading)"))
        .otherwise(pl.concat_str(pl.lit("every candidate rejected: "), pl.col("reasons").list.join(", ")))
    )
    kept_documents = kept.select("doc_id").unique()
    documents_empty = (
        documents.join(kept_documents, on="doc_id", how="anti")
        .join(sections.group_by("doc_id").len("sections"), on="doc_id", how="left")
        .join(candidates.group_by("doc_id").len("candidates"), on="doc_id", how="left")
        .with_columns(
            reason=pl.when(pl.col("sections").is_null())
            .then(pl.lit("no sections: the text was empty after extraction or it is a record file of examples"))
            .when(pl.col("candidates").is_null())
            .then(pl.lit("no section had an extractable block"))
            .otherwise(pl.lit("every candidate example was rejected"))
        )
        .sort("source")
    )
    rejected_documents = rejected.filter(pl.col("kind") == "document").select(
        "source", reason=pl.concat_str("reject_stage", "reject_reason", separator=".")
    )
    documents_empty = documents_empty.join(rejected_documents.select("source"), on="source", how="anti")
    return {
        "documents": input_documents(documents, rejected).height,  # the ledger's inputs
        "documents_with_examples": kept_documents.height,
        "sections": sections.height,
        "sections_with_examples": sections.join(kept_sections, on=["doc_id", "section"], how="semi").height,
        "documents_without_examples": [
            {"source": source, "reason": reason}
            for source, reason in pl.concat([documents_empty.select("source", "reason"), rejected_documents])
            .sort("source")
            .head(LISTED)
            .iter_rows()
        ],
        "sections_without_examples": [
            {"source": source, "section": section or "", "reason": reason}
            for source, section, reason in listed.select("source", "section", "reason").iter_rows()
        ],
        "sections_without_examples_total": empty.height,
    }


def token_histograms(kept: pl.DataFrame) -> dict[str, list[dict]]:
    """Examples per token-count bin and split: the shape a percentile table hides."""
    labels = [f"{low}-{high - 1}" for low, high in itertools.pairwise(TOKEN_BINS)] + [f"{TOKEN_BINS[-1]}+"]
    found = {}
    for split in kept["split"].unique().sort().to_list():
        tokens = kept.filter(pl.col("split") == split)["n_tokens"].fill_null(0).to_numpy()
        counts = np.bincount(np.searchsorted(TOKEN_BINS, tokens, side="right") - 1, minlength=len(labels))
        found[split] = [{"bin": label, "examples": int(count)} for label, count in zip(labels, counts, strict=True)]
    return found


def outliers(kept: pl.DataFrame) -> dict[str, list[dict]]:
    """The longest examples, and those whose answer is far longer or shorter than their prompt."""
    prompt_tokens = (
        pl.col("n_prompt_tokens")
        if "n_prompt_tokens" in kept.columns
        else pl.col("n_tokens") - pl.col("n_completion_tokens")
    )
    rows = kept.select(
        "id",
        "source",
        "n_tokens",
        ratio=(pl.col("n_completion_tokens") / pl.max_horizontal(prompt_tokens, 1)).round(2),
        prompt=prompt_text().str.slice(0, 120),
    )
    fields = ("id", "source", "n_tokens", "ratio", "prompt")
    pick = lambda frame: [dict(zip(fields, row, strict=True)) for row in frame.head(5).iter_rows()]  # noqa: E731
    return {
        "longest": pick(rows.sort("n_tokens", "id", descending=[True, False])),
        "answer_much_longer": pick(rows.filter(pl.col("ratio") >= 20).sort("ratio", "id", descending=[True, False])),
        "answer_much_shorter": pick(rows.filter(pl.col("ratio") <= 0.05).sort("ratio", "id")),
    }


def language_mix(kept: pl.DataFrame, mapper: Mapper = IN_PROCESS) -> dict[str, int]:
    """Examples per language of their answer (pipeline/language.py); "unknown" only for answers with no
    language in them (code, numbers, URLs, symbols).

    fastText's reading is most of the report's time (9 of 17 s at a million generated examples), and each
    answer's ranking depends on no other, so with a mapper of several partitions the answers are ranked on
    the workers, a row range each, and only the labelling, which needs the whole batch, runs here."""
    if kept.height == 0:
        return {}
    # Language identification reads a text's first PREFIX characters only: the rest need not be held or written.
    answers = kept.select(answer_text().fill_null("").str.slice(0, PREFIX).alias("text"))
    if mapper.whole:
        ranked = rank_texts(answers.to_series())
    else:
        ranked = pl.concat(mapper.map(rank_rows, mapper.write_rows(answers, "answers")))
    languages = label_texts(ranked).rename("language")
    counts = languages.to_frame().group_by("language").len().sort("len", "language", descending=[True, False])
    return dict(counts.iter_rows())


def reliability(rejected: pl.DataFrame) -> dict:
    """Input that could not be used at all (binary, bad encoding, corrupt, unreadable, not a file, bad JSON
    lines) and why: the files a user should look at before trusting the dataset's coverage."""
    documents = rejected.filter((pl.col("kind") == "document") | (pl.col("reject_stage") == "ingest"))
    documents = documents.with_columns(code=pl.concat_str("reject_stage", "reject_reason", separator="."))
    listed = documents.sort("source").select("source", "code", "reject_detail").head(LISTED * 2)
    return {
        "documents_rejected": rejected.filter(pl.col("kind") == "document").height,
        "records_rejected": documents.filter(pl.col("kind") != "document").height,
        "by_reason": dict(documents.group_by("code").len().sort("code").iter_rows()),
        "listed": [
            {"source": source or "", "reason": code, "detail": (detail or "")[:200]}
            for source, code, detail in listed.iter_rows()
        ],
    }


def sensitive_findings(kept: pl.DataFrame, rejected: pl.DataFrame) -> list[dict]:
    """Secrets and personal data by type: examples and occurrences, and what was done (reported, redacted,
    rejected). Counts only: no value found is ever written to the report."""
    frames = [frame.select("id", "sensitive") for frame in (kept, rejected) if "sensitive" in frame.columns]
    if not frames:
        return []
    parts = (
        pl.concat(frames)
        .explode("sensitive")
        .drop_nulls("sensitive")
        .with_columns(pl.col("sensitive").str.split(":").list.to_struct(fields=["type", "action", "count"]))
        .unnest("sensitive")
    )
    table = parts.group_by("type", "action").agg(
        examples=pl.col("id").n_unique(), occurrences=pl.col("count").cast(pl.Int64).sum()
    )
    return table.sort("type", "action").to_dicts()


def findings(rejected: pl.DataFrame) -> dict[str, int]:
    """Secrets, personal data and other quality flags: how many examples each rule rejected."""
    flagged = rejected.filter(pl.col("reject_stage") == "quality").group_by("reject_reason").len().sort("reject_reason")
    return dict(flagged.iter_rows())


def duplicate_clusters(rejected: pl.DataFrame) -> dict:
    """Clusters of removed duplicates around their kept example: count, size histogram, the largest."""
    removed = rejected.filter(
        pl.col("reject_stage") == "dedup", pl.col("reject_reason").is_in(["exact_duplicate", "near_duplicate"])
    )
    members = removed.select(
        "id", "reject_reason", kept=pl.col("reject_detail").str.extract(r"(?:same text as|near-duplicate of) (\S+)", 1)
    ).drop_nulls("kept")
    clusters = (
        members.group_by("kept")
        .agg(removed=pl.len(), ids=pl.col("id").sort().head(5))
        .with_columns(size=pl.col("removed") + 1)
    )
    sizes = clusters.group_by("size").len().sort("size")
    largest = clusters.sort("size", "kept", descending=[True, False]).head(5)
    return {
        "clusters": clusters.height,
        "size_histogram": [{"size": int(size), "clusters": int(count)} for size, count in sizes.iter_rows()],
        "largest": [
            {"kept": kept, "size": int(size), "removed_ids": ids}
            for kept, size, ids in largest.select("kept", "size", "ids").iter_rows()
        ],
    }


def reject_examples(rejected: pl.DataFrame) -> dict[str, list[dict]]:
    """A few records of each rejection reason, so a reader sees what a code means on their data.

    The records are chosen on their sort keys alone, and only they are then read whole: sorting every reject
    with its messages and a text made for each was 0.4 GB of the report's peak at a million examples."""
    keys = rejected.select(
        code=pl.concat_str("reject_stage", "reject_reason", separator="."), source="source", id="id"
    ).with_row_index("_row")
    chosen = keys.sort("code", "source", "id", nulls_last=True).filter(
        pl.int_range(pl.len()).over("code") < EXAMPLES_PER_REASON
    )
    rows = rejected[chosen["_row"]].with_columns(
        code=chosen["code"],
        text=pl.when(pl.col("kind") == "document")
        .then(pl.lit(""))
        .otherwise(pl.concat_str(prompt_text().fill_null(""), answer_text().fill_null(""), separator=" → ")),
    )
    first = rows.select(
        "code",
        source=pl.col("source").fill_null(""),
        detail=pl.col("reject_detail").fill_null("").str.slice(0, 200),
        text=pl.col("text").fill_null("").str.slice(0, 240),
    )
    found: dict[str, list[dict]] = {}
    for row in first.iter_rows(named=True):  # at most three rows per code
        found.setdefault(row.pop("code"), []).append(row)
    return found
