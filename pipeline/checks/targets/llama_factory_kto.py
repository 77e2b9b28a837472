"""LLaMA-Factory KTO records: `{"messages": [{"role", "content"}], "label": bool, "system"?, "tools"?}`.

The shape of LLaMA-Factory's own KTO demo (data/dataset_info.json, `kto_en_demo`: sharegpt formatting,
`columns: {messages: messages, kto_tag: label}`, `tags: {role_tag: role, content_tag: content,
user_tag: user, assistant_tag: assistant}`; the observation, function_call and system tags keep their
defaults). The converter (data/converter.py, `SharegptDatasetConverter`) wants user/observation turns
at odd and assistant/function_call turns at even positions, an even count (the last turn is the one
judged), and takes the row as a KTO example only when the label `isinstance(..., bool)`: any other
label silently makes it a plain SFT row, so a label that is not a boolean is a schema error here.
"""

import polars as pl

from pipeline.checks.finding import Finding
from pipeline.checks.targets.llama_factory_tools import tool_findings
from pipeline.checks.targets.sft_rules import clean_conversation, conversation_findings
from pipeline.checks.targets.trl_preference import answer
from pipeline.records import conversation

SIDES = {"user": "user", "observation": "user", "assistant": "model", "function_call": "model"}
RENDERED_SIDES = {"user": "user", "assistant": "model"}  # what to_records writes: no tool turns


def to_records(examples: pl.DataFrame) -> pl.DataFrame:
    """The conversation (system first when set) ending with `chosen` as the judged answer, and its label."""
    return examples.select(messages=pl.concat_list(conversation(), answer("chosen")), label=pl.col("label"))


def semantic_checks(record: dict) -> list[Finding]:
    """Turn order (ending with the judged answer), a system turn only first, empty turns, tool turns.

    Never raises.
    """
    return conversation_findings(record.get("messages"), "messages", sides=SIDES) + tool_findings(
        record, "messages", role_key="role", text_key="content"
    )


def clean_rows(records: pl.DataFrame) -> pl.Series:
    """True where a record rendered from an EXAMPLE frame certainly passes the schema and semantic checks."""
    checks = [*clean_conversation(pl.col("messages"), sides=RENDERED_SIDES), pl.col("label").is_not_null()]
    return records.select(pl.all_horizontal(checks).fill_null(False)).to_series()
