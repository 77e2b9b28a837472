"""Alpaca instruction records: `{"instruction", "input", "output", "system"?, "history"?}`.

The Stanford Alpaca shape as trainers read it (formats.md 6.2 Axolotl `alpaca`, 6.3 LLaMA-Factory):
the prompt is the instruction (and the input, when not empty), `output` the trained answer; `system` is
the system prompt and `history` the earlier `[question, answer]` rounds, oldest first. All three main
fields are required here; llama_factory reuses this module with `input` optional.

The format has no roles, so an example renders only when its messages are user and assistant turns in
strict alternation ending with the assistant's: the last user turn becomes the instruction, the last
answer the output, the rounds before them the history, and `input` is empty. Any other example renders
with null fields, which the schema rejects. A frame with a system prompt on some rows writes `""` on
the others (an empty system prompt is no system prompt), and `history` is written only when some
example has more than one round.
"""

import polars as pl

from pipeline.checks.finding import Finding
from pipeline.checks.targets.openai_chat import WHITESPACE
from pipeline.checks.targets.sft_rules import user_assistant_pairs


def to_records(examples: pl.DataFrame) -> pl.DataFrame:
    """instruction, input, output; `system` and `history` when any example has them."""
    texts = pl.col("messages").list.eval(pl.element().struct.field("content"))
    paired = user_assistant_pairs()
    columns: dict[str, pl.Expr] = {
        "instruction": pl.when(paired).then(texts.list.get(-2, null_on_oob=True)),
        "input": pl.when(paired).then(pl.lit("")),
        "output": pl.when(paired).then(texts.list.last()),
    }
    if examples["system"].is_not_null().any():
        columns["system"] = pl.col("system").fill_null("")
    if (examples["messages"].list.len() > 2).any():
        earlier = texts.list.head(texts.list.len() - 2)
        rounds = earlier.list.eval(pl.concat_list(pl.element().gather_every(2), pl.element().gather_every(2, offset=1)))
        columns["history"] = pl.when(paired).then(rounds)
    return examples.select(**columns)


def semantic_checks(record: dict) -> list[Finding]:
    """An empty instruction or output, or an empty question or answer in the history. Never raises."""
    found = [
        Finding(0, "semantic.empty_content", key, f"the {key} is empty")
        for key in ("instruction", "output")
        if isinstance(record.get(key), str) and not record[key].strip(WHITESPACE)
    ]
    history = record.get("history")
    for index, pair in enumerate(history if isinstance(history, list) else []):
        for side, text in enumerate(pair[:2] if isinstance(pair, list) else []):
            if isinstance(text, str) and not text.strip(WHITESPACE):
                what = ("question", "answer")[side]
                found.append(Finding(0, "semantic.empty_content", f"history[{index}][{side}]", f"the {what} is empty"))
    return found


def clean_rows(records: pl.DataFrame) -> pl.Series:
    """True where a record rendered from an EXAMPLE frame certainly passes the schema and semantic checks."""

    def filled(text: pl.Expr) -> pl.Expr:
        return text.str.strip_chars(WHITESPACE).str.len_chars() > 0

    checks = [filled(pl.col("instruction")), pl.col("input").is_not_null(), filled(pl.col("output"))]
    if "system" in records.columns:
        checks.append(pl.col("system").is_not_null())
    if "history" in records.columns:
        pairs_filled = pl.element().list.eval(filled(pl.element()).fill_null(False)).list.all()
        checks.append(pl.col("history").list.eval(pairs_filled).list.all())
    return records.select(pl.all_horizontal(checks).fill_null(False)).to_series()
