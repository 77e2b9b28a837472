"""Together AI preference (DPO) records: `{"input": {"messages"}, "preferred_output", "non_preferred_output"}`.

Follows Together's data-format docs ("Preference": the OpenAI shape) and `together files check`: `input`
holds only `messages`, which pass the conversation checks without needing an assistant turn (Together's role
set and content forms, as in together-conversational); the last input message is not the assistant's; each
output is a list of exactly one assistant message. The record is OpenAI's DPO record, so the rendering and
the prompt and pair rules are openai_dpo's (which apply ftprep's stricter order on top of Together's "no two
consecutive messages with one role"); Together adds the media rules. Limits as for together-conversational.
"""

import polars as pl

from pipeline.checks.finding import Finding
from pipeline.checks.targets import openai_dpo
from pipeline.checks.targets.together_conversational import media_findings


def to_records(examples: pl.DataFrame) -> pl.DataFrame:
    """The prompt (system first when set) as `input.messages`; each answer as one assistant message."""
    return openai_dpo.to_records(examples)


def semantic_checks(record: dict) -> list[Finding]:
    """The input ends with the user's turn in order; the outputs are non-empty and differ; media. Never raises."""
    source = record.get("input")
    messages = source.get("messages") if isinstance(source, dict) else None
    return openai_dpo.semantic_checks(record) + media_findings(messages, "input.messages")


def clean_rows(records: pl.DataFrame) -> pl.Series:
    """True where a record rendered from an EXAMPLE frame certainly passes the schema and semantic checks.

    Rendered contents are strings, so the media rules always pass and openai_dpo's fast path is exact.
    """
    return openai_dpo.clean_rows(records)
