"""One row per record, with the keys the cross-record checks compare, hashed the same way on every path.

A record reaches the cross-record checks (duplicates, conflicts, one system prompt, train/validation
overlap) either from the columnar pass or from the per-line engine. Both hand over the key material as
values (the record's line, the turns before its last answer, its trained answers, its system prompt)
and this module hashes it with one polars expression, so a duplicate is found whichever way each of its
copies came. 64-bit keys: a false match among a million records has a probability of about 3e-8.
"""

import polars as pl

from pipeline.records import DType

TURNS = pl.List(pl.Struct({"role": pl.String, "content": pl.String}))
_MATERIAL_COLUMNS: dict[str, DType] = {
    "number": pl.Int64,
    "shape": pl.List(pl.String),  # the record's top-level keys, sorted
    "record": pl.String,  # the line without surrounding whitespace
    "prompt": TURNS,  # the turns before the last trained answer, system prompt excluded
    "answers": pl.List(pl.String),  # the texts trained on
    "system": pl.String,  # None when absent or empty
    "tokens": pl.Int64,
    "prompt_tokens": pl.Int64,
    "passed": pl.Boolean,  # no error on the record itself
    # figures for the dataset statistics (counting.figures); null for a line without a conversation
    "messages": pl.Int64,  # messages in the record, system included
    "has_user": pl.Boolean,
    "answer_tokens": pl.Int64,  # tokens of the assistant messages' text and calls
    "tool_tokens": pl.Int64,  # tokens of the function definitions, an estimate (pipeline/tool_tokens.py)
}
MATERIAL = pl.Schema(_MATERIAL_COLUMNS)
KEYS = ("record", "prompt", "answers", "system")
FIGURES_UNKNOWN = (None, None, None, None)
SEED = 20_261_129


def hashed(material: pl.DataFrame) -> pl.DataFrame:
    """The material with its key columns replaced by their UInt64 hashes (null stays null)."""
    return material.with_columns(
        pl.when(pl.col(name).is_not_null()).then(pl.col(name).hash(SEED)).alias(name) for name in KEYS
    )


def from_material(rows: list[tuple]) -> pl.DataFrame:
    """Rows of the per-line engine (tuples in MATERIAL's order, turns as (role, text) pairs; the figures
    after `passed` may be left off) -> hashed rows."""
    records = [
        (
            number,
            list(shape) if shape is not None else None,
            record,
            [{"role": role, "content": text} for role, text in prompt] if prompt is not None else None,
            list(answers) if answers is not None else None,
            system,
            tokens,
            prompt_tokens,
            passed,
            *(figures or FIGURES_UNKNOWN),
        )
        for number, shape, record, prompt, answers, system, tokens, prompt_tokens, passed, *figures in rows
    ]
    return hashed(pl.DataFrame(records, schema=MATERIAL, orient="row"))
