"""ShareGPT conversation records: `{"conversations": [{"from", "value"}], "system"?, "tools"?}`.

The ShareGPT shape as trainers read it (Axolotl's `conversations`/`from`/`value` mapping,
LLaMA-Factory's sharegpt formatting with the default tags): human turns ask, gpt turns answer, in
strict alternation from the human's (LLaMA-Factory puts human in odd and gpt in even positions) to the
gpt's, which is the training target; a system prompt is either a first `{"from": "system"}` turn or the
top-level `system` string. This target writes the first-turn form, as llama_factory_dpo does: every
reader with default tags takes it, and a row without a system prompt needs no field (polars would write
`null`).

Tool use is LLaMA-Factory's (data/README.md, sharegpt format; data/converter.py,
`SharegptDatasetConverter`): function_call turns answer like gpt turns and observation turns ask like
human turns, so human/observation take the odd positions and gpt/function_call the even ones, and `tools`
is a JSON string of tool definitions; llama_factory_tools checks their contents.
"""

import polars as pl

from pipeline.checks.finding import Finding
from pipeline.checks.targets.llama_factory_tools import tool_findings
from pipeline.checks.targets.sft_rules import clean_conversation, conversation_findings
from pipeline.records import conversation

SIDES = {"human": "user", "observation": "user", "gpt": "model", "function_call": "model"}
RENDERED_SIDES = {"human": "user", "gpt": "model"}  # what to_records writes: no tool turns
TAGS = {"user": "human", "assistant": "gpt"}  # EXAMPLE role -> ShareGPT tag; system keeps its name


def to_records(examples: pl.DataFrame) -> pl.DataFrame:
    """`conversations` in ShareGPT tags, the system prompt (when set) as the first turn."""
    turn = pl.element().struct
    conversations = conversation().list.eval(
        pl.struct(turn.field("role").replace(TAGS).alias("from"), turn.field("content").alias("value"))
    )
    return examples.select(conversations=conversations)


def semantic_checks(record: dict) -> list[Finding]:
    """Alternation from the human's turn to the gpt's, a system turn only first, empty turns, tool turns.

    Never raises.
    """
    return conversation_findings(
        record.get("conversations"),
        "conversations",
        sides=SIDES,
        role_key="from",
        text_of=lambda turn: turn.get("value"),
        text_path=".value",
    ) + tool_findings(record, "conversations", role_key="from", text_key="value")


def clean_rows(records: pl.DataFrame) -> pl.Series:
    """True where a record rendered from an EXAMPLE frame certainly passes the schema and semantic checks.

    EXAMPLE roles other than user and assistant keep their names, so an unknown one fails the tag set; a
    tool turn is never certainly valid here (its JSON needs the semantic check).
    """
    checks = clean_conversation(pl.col("conversations"), sides=RENDERED_SIDES, role_key="from", text_key="value")
    return records.select(pl.all_horizontal(checks).fill_null(False)).to_series()
