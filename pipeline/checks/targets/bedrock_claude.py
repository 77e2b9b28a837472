"""Amazon Bedrock fine-tuning records for Claude 3 Haiku: `{"system"?: str, "messages": [user, assistant, ...]}`.

Follows the Bedrock model-customization-prepare page and Anthropic's Bedrock cookbook:
an optional top-level system string; at least two messages, user and assistant only, alternating,
first the user's and last the assistant's; no extraneous keys. Limits: 32 to 10,000 training records
(the minimum is `min_examples`), a 10 GB training file, and 32,000 tokens per record. There is no
offline Claude tokenizer, so the token limit is a character guard (`sft_rules.CHARS_PER_TOKEN`).

polars writes a null cell as `null`, and a strict `str` check would refuse `"system": null`; so in a
frame where only some examples have a system prompt the others get `""` (no system prompt), and a frame
with none gets no `system` column.
"""

import polars as pl

from pipeline.checks.finding import Finding
from pipeline.checks.targets.sft_rules import (
    clean_conversation,
    clean_length,
    conversation_findings,
    length_findings,
    total_chars,
)

MAX_RECORD_TOKENS = 32_000
MODEL = "Claude 3 Haiku on Bedrock"


def to_records(examples: pl.DataFrame) -> pl.DataFrame:
    """`messages` as they are; `system` beside them when any example has one."""
    columns = {"messages": pl.col("messages")}
    if examples["system"].is_not_null().any():
        columns = {"system": pl.col("system").fill_null(""), **columns}
    return examples.select(**columns)


def semantic_checks(record: dict) -> list[Finding]:
    """Alternation from the user's turn to the assistant's, empty turns, the record's size. Never raises."""
    messages = record.get("messages")
    found = conversation_findings(messages, "messages", system=None)
    texts = [record.get("system")]
    if isinstance(messages, list):
        texts += [message.get("content") for message in messages if isinstance(message, dict)]
    return found + length_findings(texts, MAX_RECORD_TOKENS, MODEL)


def clean_rows(records: pl.DataFrame) -> pl.Series:
    """True where a record rendered from an EXAMPLE frame certainly passes the schema and semantic checks.

    A system turn inside `messages` is not one of Bedrock's roles, so it fails the role set.
    """
    messages = pl.col("messages")
    chars = total_chars(messages.list.eval(pl.element().struct.field("content")))
    checks = clean_conversation(messages, system=None)
    if "system" in records.columns:
        checks.append(pl.col("system").is_not_null())
        chars = chars + pl.col("system").str.len_chars()
    checks.append(clean_length(chars, MAX_RECORD_TOKENS))
    return records.select(pl.all_horizontal(checks).fill_null(False)).to_series()
