"""LLaMA-Factory ShareGPT preference records: `{"conversations": [...], "chosen": {...}, "rejected": {...}}`.

hiyouga/LLaMA-Factory data/README.md, "sharegpt preference" (a dataset registered with `formatting:
sharegpt, ranking: true`): the conversation ends with a human turn and each answer is one `{"from": "gpt",
"value"}` turn. The tags are LLaMA-Factory's defaults (human, gpt, observation, function_call, system);
human and observation take the odd positions, gpt and function_call the even ones, as its ShareGPT converter
requires.

A system prompt is written as a first `{"from": "system"}` turn rather than the top-level `system` field:
the converter reads that turn with the default tags, while the field is read only when `dataset_info.json`
maps a `system` column, and a row without a system prompt needs no field (polars would write `null`).
The schema still accepts the field in user files.
"""

import polars as pl

from pipeline.checks.finding import Finding
from pipeline.checks.targets.llama_factory_tools import tool_findings
from pipeline.checks.targets.trl_preference import clean_pair, clean_prompt, pair_findings, prompt_findings
from pipeline.records import conversation

SIDES = {"human": "user", "observation": "user", "gpt": "model", "function_call": "model"}
RENDERED_SIDES = {"human": "user", "gpt": "model"}  # what to_records writes: no tool turns
TAGS = {"user": "human", "assistant": "gpt"}  # EXAMPLE role -> ShareGPT tag; system keeps its name


def to_records(examples: pl.DataFrame) -> pl.DataFrame:
    """`conversations` in ShareGPT tags (system first when set); each answer one gpt turn."""
    turn = pl.element().struct
    conversations = conversation().list.eval(
        pl.struct(turn.field("role").replace(TAGS).alias("from"), turn.field("content").alias("value"))
    )
    return examples.select(conversations=conversations, chosen=gpt_turn("chosen"), rejected=gpt_turn("rejected"))


def gpt_turn(column: str) -> pl.Expr:
    return pl.struct(pl.lit("gpt").alias("from"), pl.col(column).alias("value"))


def semantic_checks(record: dict) -> list[Finding]:
    """Turn order and emptiness of the conversation; tool turns; empty or identical answers. Never raises."""
    chosen, rejected = record.get("chosen"), record.get("rejected")
    return (
        prompt_findings(
            record.get("conversations"),
            "conversations",
            sides=SIDES,
            role_key="from",
            text_of=lambda turn: turn.get("value"),
            text_path=".value",
        )
        + pair_findings(
            chosen.get("value") if isinstance(chosen, dict) else None,
            rejected.get("value") if isinstance(rejected, dict) else None,
            "chosen.value",
            "rejected.value",
        )
        + tool_findings(record, "conversations", role_key="from", text_key="value")
    )


def clean_rows(records: pl.DataFrame) -> pl.Series:
    """True where a record rendered from an EXAMPLE frame certainly passes the schema and semantic checks.

    EXAMPLE roles other than user and assistant keep their names, so an unknown one fails the tag set; a
    tool turn is never certainly valid here (its JSON needs the semantic check).
    """
    checks = [
        *clean_prompt(pl.col("conversations"), sides=RENDERED_SIDES, role_key="from", text_key="value"),
        *clean_pair(pl.col("chosen").struct.field("value"), pl.col("rejected").struct.field("value")),
    ]
    return records.select(pl.all_horizontal(checks).fill_null(False)).to_series()
