"""Conflicts: the same prompt with different answers.

Two examples that ask the same thing and teach different answers pull a model two ways; usually one
is stale (an archived policy) or one was cut from the wrong place. They are not duplicates (the
answers differ), so dedup keeps both. This pass finds them on normalised prompts; by default it only
reports (the split keeps a group on one side when its prompts are identical after lower-casing and
have five or more words), and with `dedup.conflicts = "reject"` it keeps
the first of each group in dedup's deterministic order and rejects the others naming the kept id.
"""

import polars as pl

from pipeline.records import Split, answer_text, prompt_text, reject
from pipeline.similarity.compare import normalise

LISTED = 10
MIN_PROMPT_WORDS = 3  # "Continue." or "Why?" asked twice is not a conflict


def conflict_groups(examples: pl.DataFrame) -> pl.DataFrame:
    """One row per conflicting example: id, the group's prompt, and the id kept first."""
    keyed = examples.with_row_index("_order").with_columns(
        _prompt=normalise(prompt_text().fill_null("")), _answer=normalise(answer_text().fill_null(""))
    )
    keyed = keyed.filter(pl.col("_prompt").str.count_matches(r"\w+") >= MIN_PROMPT_WORDS)
    groups = keyed.filter(pl.col("_answer").n_unique().over("_prompt") > 1)
    return groups.sort("_order").select(
        "id", prompt=prompt_text(), first=pl.col("id").first().over("_prompt"), group=pl.col("_prompt")
    )


def resolve_conflicts(examples: pl.DataFrame, mode: str) -> tuple[Split, dict]:
    """(kept and rejected, the report block) for mode "report" or "reject"."""
    found = conflict_groups(examples)
    summary = {
        "groups": found["group"].n_unique(),
        "examples": found.height,
        "mode": mode,
        "listed": [
            {"prompt": prompt[:200], "ids": ids}
            for prompt, ids in found.group_by("group", maintain_order=True)
            .agg(prompt=pl.col("prompt").first(), ids=pl.col("id"))
            .head(LISTED)
            .select("prompt", "ids")
            .iter_rows()
        ],
    }
    if mode != "reject" or found.height == 0:
        return Split(examples, reject(examples.clear(), "conflict")), summary
    losers = found.filter(pl.col("id") != pl.col("first")).select("id", "first")
    flagged = examples.join(losers, on="id", how="left")
    detail = pl.format("same prompt as {} with a different answer", "first")
    rejected = reject(flagged.filter(pl.col("first").is_not_null()), "conflict", detail).drop("first")
    return Split(flagged.filter(pl.col("first").is_null()).drop("first"), rejected), summary
