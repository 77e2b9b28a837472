"""OpenAI DPO records: `{"input": {"messages": [...]}, "preferred_output": [...], "non_preferred_output": [...]}`.

Follows OpenAI's API spec (`FineTunePreferenceRequestInput`, spec f7f4b05) and DPO guide: the `*_output` spelling, not
the pre-July-2025 `*_completion`; each output is one assistant message, the final turn after the input.
"""

import polars as pl

from pipeline.checks.finding import Finding
from pipeline.checks.targets.trl_preference import (
    answer,
    clean_pair,
    clean_prompt,
    first_content,
    first_text,
    pair_findings,
    prompt_findings,
)
from pipeline.records import conversation

# Tool and function results may sit between two assistant turns of the input; they have no side.
SIDES = {"user": "user", "assistant": "model"}


def to_records(examples: pl.DataFrame) -> pl.DataFrame:
    """The prompt (system first when set) as `input.messages`; each answer as one assistant message."""
    return examples.select(
        input=pl.struct(messages=conversation()),
        preferred_output=answer("chosen"),
        non_preferred_output=answer("rejected"),
    )


def semantic_checks(record: dict) -> list[Finding]:
    """The input ends with the user's turn in order; the two outputs are non-empty and differ. Never raises."""
    source = record.get("input")
    messages = source.get("messages") if isinstance(source, dict) else None
    return prompt_findings(messages, "input.messages", sides=SIDES) + pair_findings(
        first_content(record.get("preferred_output")),
        first_content(record.get("non_preferred_output")),
        "preferred_output[0].content",
        "non_preferred_output[0].content",
    )


def clean_rows(records: pl.DataFrame) -> pl.Series:
    """True where a record rendered from an EXAMPLE frame certainly passes the schema and semantic checks.

    Rendered input messages carry only role and content, so a tool or function turn (which needs more
    fields) is never clean; the outputs are always one assistant message, so only their text can fail.
    """
    checks = [
        *clean_prompt(pl.col("input").struct.field("messages"), sides=SIDES),
        *clean_pair(first_text(pl.col("preferred_output")), first_text(pl.col("non_preferred_output"))),
    ]
    return records.select(pl.all_horizontal(checks).fill_null(False)).to_series()
