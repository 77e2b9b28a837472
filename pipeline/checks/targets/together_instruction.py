"""Together AI instruction fine-tuning records: `{"prompt": ..., "completion": ...}`.

Follows Together's data-format docs ("Instruction": `prompt`, `completion`) and `together files check` (both
pass the content check, a string or a part list; images only in the prompt). Only the completion is trained
unless the job sets `--train-on-inputs`.

The format has no roles, so an example renders only when its messages are user and assistant turns in
strict alternation ending with the assistant's: the prompt is the system prompt (when set) and every
turn before the last answer, joined by blank lines; the completion is the last answer. Any other
example renders with null fields, which the schema rejects (prefer together-conversational for
multi-turn data: it keeps the roles). Limits as for together-conversational.
"""

import polars as pl

from pipeline.checks.finding import Finding
from pipeline.checks.targets.openai_chat import WHITESPACE
from pipeline.checks.targets.sft_rules import user_assistant_pairs
from pipeline.checks.targets.together_conversational import image_findings


def to_records(examples: pl.DataFrame) -> pl.DataFrame:
    """`prompt`: system and the turns before the last answer; `completion`: the last answer."""
    texts = pl.col("messages").list.eval(pl.element().struct.field("content"))
    before = pl.concat_list(pl.col("system"), texts.list.head(texts.list.len() - 1)).list.drop_nulls()
    paired = user_assistant_pairs()
    return examples.select(
        prompt=pl.when(paired).then(before.list.join("\n\n")), completion=pl.when(paired).then(texts.list.last())
    )


def semantic_checks(record: dict) -> list[Finding]:
    """An empty prompt or completion; images in the prompt. Never raises."""
    found = []
    for key in ("prompt", "completion"):
        text = record.get(key)
        if isinstance(text, str) and not text.strip(WHITESPACE):
            found.append(Finding(0, "semantic.empty_content", key, f"the {key} is empty"))
    return found + image_findings(record.get("prompt"), "prompt")


def clean_rows(records: pl.DataFrame) -> pl.Series:
    """True where a record rendered from an EXAMPLE frame certainly passes the schema and semantic checks."""
    checks = [pl.col(key).str.strip_chars(WHITESPACE).str.len_chars() > 0 for key in ("prompt", "completion")]
    return records.select(pl.all_horizontal(checks).fill_null(False)).to_series()
