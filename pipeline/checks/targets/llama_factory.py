"""LLaMA-Factory supervised records, alpaca formatting: `{"instruction", "input"?, "output", "system"?, "history"?}`.

Follows hiyouga/LLaMA-Factory data/README.md: a dataset registered in `dataset_info.json`
with the default `formatting: alpaca`. With no `columns` entry LLaMA-Factory reads exactly
`instruction` (required), `input` (optional) and `output` (required); the human prompt is
`instruction\\ninput`. `system` and `history` (whose answers are trained too) are read only through the
README's mapping (`"system": "system", "history": "history"`), so they are written only when some
example has a system prompt or several rounds: a single-turn run without one needs no mapping at all.
The record is alpaca's, so rendering and rules are alpaca's; only the schema differs (`input` optional).
"""

import polars as pl

from pipeline.checks.finding import Finding
from pipeline.checks.targets import alpaca


def to_records(examples: pl.DataFrame) -> pl.DataFrame:
    """instruction, input (empty), output; `system` and `history` when any example has them."""
    return alpaca.to_records(examples)


def semantic_checks(record: dict) -> list[Finding]:
    """An empty instruction or output, or an empty question or answer in the history. Never raises."""
    return alpaca.semantic_checks(record)


def clean_rows(records: pl.DataFrame) -> pl.Series:
    """True where a record rendered from an EXAMPLE frame certainly passes the schema and semantic checks."""
    return alpaca.clean_rows(records)
