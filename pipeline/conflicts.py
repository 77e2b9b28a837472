"""Conflicts: the same prompt with different answers.

Two examples that ask the same thing and teach different answers pull a model two ways; usually one
is stale (an archived policy) or one was cut from the wrong place. They are not duplicates (the
answers differ), so dedup keeps both. This pass finds them on normalised prompts; by default it only
reports (the split keeps a group on one side when its prompts are identical after lower-casing and
have five or more words), and with `dedup.conflicts = "reject"` it keeps
the first of each group in dedup's deterministic order and rejects the others naming the kept id.
"""

import re

import polars as pl

from pipeline.generate.subject import OPENINGS
from pipeline.records import Split, answer_text, prompt_text, reject
from pipeline.similarity.normal import normalise

LISTED = 10
# The generator's open-question templates ("Tell me about X." asks what "What should I know about X?" asks).
OPEN_QUESTION = "^(?:" + "|".join(re.escape(opening.lower()) for opening in OPENINGS) + ") "
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


def reject_ambiguous(examples: pl.DataFrame) -> Split:
    """Generated examples whose question was made on several pages with different answers ("Tell me about
    compliance and records considerations." under GitHub and under Mural; "What does CRM stand for?" with two
    expansions) are all rejected (`ambiguous_prompt`): out of their pages they ask the same thing, and a model
    taught both learns one of them at random. Unlike a conflict in the user's own data, neither is kept: the
    generator made the question, and no page's answer is the right one. A global stage, so shards do not matter."""
    first_prompt = (
        pl.col("messages")
        .list.first()
        .struct.field("content")
        .str.to_lowercase()
        .str.replace(OPEN_QUESTION, "")  # "Tell me about X." and "What should I know about X?" ask the same
        .str.strip_chars(" ?.!")
    )
    answer = pl.col("messages").list.get(1, null_on_oob=True).struct.field("content")
    generated = pl.col("generator").str.contains(r"^(?:extractive|llm):").fill_null(False)
    counted = examples.with_columns(_asked=first_prompt, _answer=answer, _generated=generated).with_columns(
        _answers=pl.col("_answer").n_unique().over("_asked", "_generated"),
        _pages=pl.col("source").n_unique().over("_asked", "_generated"),
    )
    ambiguous = ((pl.col("_answers") > 1) & (pl.col("messages").list.len() == 2) & pl.col("_generated")).fill_null(
        False
    )
    detail = pl.format("the same question is made from {} pages with {} different answers", "_pages", "_answers")
    rejected = reject(counted.filter(ambiguous), "ambiguous_prompt", detail)
    helpers = ["_asked", "_answer", "_generated", "_answers", "_pages"]
    return Split(counted.filter(~ambiguous).drop(helpers), rejected.drop(helpers))
