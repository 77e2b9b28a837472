"""Mistral fine-tuning records (API and mistral-finetune): `{"messages": [...], "tools"?: [...]}`.

The schema holds the shapes mistral-finetune's `build_instruct_sample` accepts; `mistral_rules` holds the
rest of what it and mistral-common's `MistralRequestValidatorV3` (finetuning mode) check, as errors, and
what Mistral's fine-tuning docs ask beyond them, as warnings (`WARNINGS`): a verdict here is the
trainer's verdict (tests/test_mistral_conformance.py). Limit: 512 MB per training file (`max_file_bytes`).
"""

import polars as pl

from pipeline.checks.finding import Finding
from pipeline.checks.targets.mistral_rules import WARNINGS, conversation_findings, key_findings, tool_findings
from pipeline.records import conversation

ROLES = ("system", "user", "assistant", "tool")

__all__ = ["WARNINGS", "clean_rows", "semantic_checks", "to_records"]


def to_records(examples: pl.DataFrame) -> pl.DataFrame:
    """One `messages` column, the system prompt (when set) as the first message."""
    return examples.select(messages=conversation())


def semantic_checks(record: dict) -> list[Finding]:
    """Keys, turn order and counts, per-turn values, tools; the codes in WARNINGS warn. Never raises."""
    messages = record.get("messages")
    if not isinstance(messages, list) or not messages:
        return []  # the schema already reports it
    if not all(isinstance(message, dict) and message.get("role") in ROLES for message in messages):
        return []  # a turn that is not an object, or has no known role: the schema reports it at its field
    if not all(isinstance(message.get("tool_calls", []), list | None) for message in messages):
        return []
    return key_findings(record, messages) + conversation_findings(record, messages) + tool_findings(record, messages)


def clean_rows(records: pl.DataFrame) -> pl.Series:
    """True where a record rendered from an EXAMPLE frame has no error (warnings aside), as `semantic_checks` says.

    Rendered messages carry only role and content: a tool turn (which needs a tool_call_id) is never
    clean, and between user and assistant turns the transition table forbids nothing. What remains is
    one system message at most, two turns or more besides it with the assistant's last, and no
    assistant turn with empty content.
    """
    messages = pl.col("messages")
    role, content = pl.element().struct.field("role"), pl.element().struct.field("content")
    turns = messages.list.eval(role.filter(role != "system"))
    checks = [
        messages.list.eval(
            (role.is_in(["system", "user", "assistant"]) & content.is_not_null()).fill_null(False)
        ).list.all(),
        messages.list.eval((role == "system").sum()).list.first() <= 1,
        turns.list.len() >= 2,
        turns.list.last() == "assistant",
        messages.list.eval(((role != "assistant") | (content != "")).fill_null(False)).list.all(),
    ]
    return records.select(pl.all_horizontal(checks).fill_null(False)).to_series()
