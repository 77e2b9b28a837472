"""Mistral fine-tuning records (API and mistral-finetune): `{"messages": [...], "tools"?: [...]}`.

Follows the instruct format of Mistral's fine-tuning docs and what mistral-finetune's `utils/validate_data.py`
and mistral-common's `MistralRequestValidatorV3` check in finetuning mode). The schema holds the
message shapes: system, user (text, or text and image_url chunks), assistant (content or tool_calls,
not both; weight 0 or 1), tool (a 9-character tool_call_id); tools with name, description and object
parameters. The rules here are the validator's order: its transition table (user may follow user,
assistant may follow assistant), the last message the assistant's, one system message; plus ftprep's
own (no provider validator checks these): that system message comes first and the conversation starts with the user.
Limit: 512 MB per training file (`max_file_bytes`).
"""

import polars as pl

from pipeline.checks.finding import Finding
from pipeline.checks.targets.sft_rules import clean_conversation, conversation_findings
from pipeline.records import conversation

# mistral-common's allowed transitions, as mistral-finetune's validate_data.py applies them:
# previous role -> roles that may come next.
FOLLOWS = {
    "system": {"user", "assistant", "system"},
    "user": {"assistant", "system", "user"},
    "assistant": {"assistant", "user", "tool"},
    "tool": {"assistant", "tool", "user"},
}


def to_records(examples: pl.DataFrame) -> pl.DataFrame:
    """One `messages` column, the system prompt (when set) as the first message."""
    return examples.select(messages=conversation())


def semantic_checks(record: dict) -> list[Finding]:
    """Transition order, last turn, the one system message first, empty turns. Never raises."""
    return conversation_findings(record.get("messages"), "messages", follows=FOLLOWS)


def clean_rows(records: pl.DataFrame) -> pl.Series:
    """True where a record rendered from an EXAMPLE frame certainly passes the schema and semantic checks.

    Rendered messages carry only role and content, so a tool turn (which needs a tool_call_id) is never
    clean; over system, user and assistant with the system first the transition table forbids nothing.
    """
    checks = clean_conversation(pl.col("messages"), alternate=False)
    return records.select(pl.all_horizontal(checks).fill_null(False)).to_series()
