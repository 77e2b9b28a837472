"""The run's accounting: the ledger, the funnel and the per-reason counts, from the same two frames.

A user reads the funnel's last step against the split sizes, the per-reason counts against
rejects.jsonl and the coverage's documents against the ledger's inputs; each of these is computed here
from `documents` (what ingest produced) and `rejected` (every reject), so they agree by construction.
"""

import polars as pl

from pipeline.errors import LedgerError


def input_documents(documents: pl.DataFrame, rejected: pl.DataFrame) -> pl.DataFrame:
    """Every input document once (doc_id, source): those ingested, and those ingest could not read. A document
    rejected later (one that yielded no example) is already among the ingested."""
    unread = rejected.filter((pl.col("kind") == "document") & (pl.col("reject_stage") == "ingest"))
    return pl.concat([documents.select("doc_id", "source"), unread.select("doc_id", "source")])


def ledger(documents: pl.DataFrame, kept: pl.DataFrame, rejected: pl.DataFrame) -> dict:
    rejected_examples = rejected.filter(pl.col("kind") != "document")
    used = kept.select("doc_id").vstack(rejected_examples.select("doc_id")).unique()
    per_split = dict(kept.group_by("split").len().iter_rows())
    return {
        "documents": {
            "inputs": input_documents(documents, rejected).height,
            "used": used.height,
            "rejected": rejected.height - rejected_examples.height,
        },
        "examples": {
            "generated": kept.height + rejected_examples.height,
            "train": per_split.get("train", 0),
            "validation": per_split.get("validation", 0),
            "test": per_split.get("test", 0),
            "rejected": rejected_examples.height,
        },
    }


def check_ledger(ledger: dict) -> None:
    docs, examples = ledger["documents"], ledger["examples"]
    if docs["inputs"] != docs["used"] + docs["rejected"]:
        raise LedgerError(f"document ledger does not balance: {docs}; please report this as a bug")
    if examples["generated"] != examples["train"] + examples["validation"] + examples["test"] + examples["rejected"]:
        raise LedgerError(f"example ledger does not balance: {examples}; please report this as a bug")


def reason_counts(rejected: pl.DataFrame) -> dict[str, int]:
    """Rejects by `stage.reason`: documents and examples alike, so they sum to the rows of rejects.jsonl."""
    counts = rejected.group_by(code=pl.concat_str("reject_stage", "reject_reason", separator=".")).len().sort("code")
    return dict(counts.iter_rows())


def funnel(rejected: pl.DataFrame, generated: int) -> list[dict]:
    """Examples entering and leaving each funnel step, in the registry's order, from `ingest` (records of an
    imported dataset rejected as they are read) on: the last step's `out` is what the split shares out. A step
    the registry does not list would still be a row, after the others, so the funnel cannot lose a reject."""
    from pipeline.stages import FUNNEL  # the registry imports the report stage's body, which imports this module

    by_stage = dict(rejected.filter(pl.col("kind") != "document").group_by("reject_stage").len().iter_rows())
    steps = [*FUNNEL, *sorted(set(by_stage) - set(FUNNEL), key=str)]
    rows, remaining = [], generated
    for stage in steps:
        removed = by_stage.get(stage, 0)
        rows.append({"stage": stage, "in": remaining, "rejected": removed, "out": remaining - removed})
        remaining -= removed
    return rows
