"""Group-aware, stratified, seeded train/validation split.

Paraphrases of one passage on both sides of a split make validation loss lie, so whole groups (a source
section by default, or a document) go to one side. Groups are shuffled by a seeded hash of their key,
then, stratum by stratum (a group's majority task), taken into validation while that brings the
stratum's validation count closer to its target share.
"""

import hashlib

import polars as pl

from pipeline.config import SplitConfig


def group_key(group_by: str) -> pl.Expr:
    """Imported records have no section: each record (`file:LINE`) is its own group."""
    unit = pl.coalesce(pl.col("section"), pl.col("source"))
    if group_by == "document":
        return pl.when(pl.col("section").is_null()).then(unit).otherwise(pl.col("doc_id"))
    return pl.concat_str(pl.col("doc_id"), unit, separator="\x00")


def split_by_group(examples: pl.DataFrame, cfg: SplitConfig) -> pl.DataFrame:
    """Add `split` ("train" or "validation") and `group`; a group never straddles the split."""
    keyed = examples.with_columns(group=group_key(cfg.group_by))
    groups = keyed.group_by("group").agg(n=pl.len(), stratum=pl.col("task").mode().sort().first())
    order = pl.Series("order", [shuffle_key(key, cfg.seed) for key in groups["group"]], dtype=pl.String)
    groups = groups.with_columns(order).sort("stratum", "order")
    chosen = set()
    for stratum in groups.partition_by("stratum", maintain_order=True):
        chosen |= pick_validation(stratum["group"].to_list(), stratum["n"].to_list(), cfg.validation_ratio)
    return keyed.with_columns(
        split=pl.when(pl.col("group").is_in(sorted(chosen))).then(pl.lit("validation")).otherwise(pl.lit("train"))
    )


def shuffle_key(key: str, seed: int) -> str:
    return hashlib.sha256(f"{seed}\x00{key}".encode()).hexdigest()


def pick_validation(groups: list[str], sizes: list[int], ratio: float) -> set[str]:
    """Greedy over shuffled groups: take a group when it moves the count closer to ratio x total."""
    total = sum(sizes)
    target = ratio * total
    if ratio > 0 and len(groups) > 1:
        target = max(target, 1)
    taken, count = set(), 0
    for group, size in zip(groups, sizes, strict=True):
        if abs(count + size - target) < abs(count - target):
            taken.add(group)
            count += size
    return taken
