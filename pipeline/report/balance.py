"""Whether the split came out as configured, and if not, why.

The split moves whole groups (a source section by default, widened across near-duplicates, identical
prompts and shared passages) so that paraphrases never straddle it. A few large groups can therefore
leave validation far from `split.validation_ratio` or below `split.min_validation`, and the ledger alone
shows only a small number: the warning says what was asked for, what came out, and which groups did it.
"""

import polars as pl

TOLERANCE = 0.02  # two percentage points of the split examples


def split_warnings(kept: pl.DataFrame, split: dict | None) -> list[str]:
    """At most one warning about the validation split; `split` is the run block's split settings (None when the
    report was built without them, as hand-made run blocks are)."""
    held = kept.filter(pl.col("split") == "validation").height
    if not split or split["validation_ratio"] == 0 or kept.height == 0:
        return ["the validation split is empty; validation loss will not be reported"] if held == 0 else []
    ratio, minimum, total = split["validation_ratio"], split["min_validation"], kept.height
    target = ratio * total
    if held == 0:
        return [
            f"the validation split is empty; validation loss will not be reported (split.validation_ratio = "
            f"{ratio:g} asks for about {round(target)} of {total} examples): {cause(kept, split)}"
        ]
    share = held / total
    # Off the ratio by more than two points, and not merely because no whole count of examples is closer.
    off_ratio = round(abs(share - ratio), 6) > TOLERANCE and abs(held - target) > 0.5
    below_minimum = held < minimum
    if not off_ratio and not below_minimum:
        return []
    problems = []
    if off_ratio:
        problems.append(f"not the configured split.validation_ratio = {ratio:g} ({ratio:.1%}, about {round(target)})")
    if below_minimum:
        problems.append(f"below split.min_validation = {minimum} (one group always stays in training)")
    reason = cause(kept, split)
    if off_ratio and share > ratio and minimum > target:
        reason = f"split.min_validation = {minimum} asks for more than the ratio gives, so whole groups were added"
    return [f"validation holds {held} of {total} split examples ({share:.1%}), {' and '.join(problems)}: {reason}"]


def cause(kept: pl.DataFrame, split: dict) -> str:
    """The likely cause, from the groups the split recorded: one group, too few groups, or a few large ones."""
    keeps = "the split keeps each group whole on one side so that paraphrases never straddle it"
    advice = finer_groups(split)
    if "group" not in kept.columns:
        return f"{keeps}, and a few large groups cannot be shared out by the ratio; {advice}"
    total = kept.height
    file = pl.col("source").str.replace(r"[:#]\d+$", "")  # records are named `file:LINE` or `file#N`
    groups = (
        kept.group_by("group")
        .agg(n=pl.len(), files=file.n_unique(), file=file.mode().sort().first())
        .sort("n", "group", descending=[True, False])
    )
    if groups.height == 1:
        return (
            f"all {total} examples form one group (split.group_by = '{split.get('group_by', 'section')}', joined by "
            f"near-duplicates, identical prompts or shared 13-word passages), which the split keeps whole; {advice}"
        )
    n, files, top = groups.row(0)[1:]
    largest = f"the largest holds {n} examples ({n / total:.0%}, {'from' if files == 1 else 'mostly from'} {top})"
    return f"{keeps}, and the {total} examples form {groups.height} groups; {largest}; {advice}"


def finer_groups(split: dict) -> str:
    """What would make smaller groups under the configured grouping."""
    if split.get("group_pattern"):
        return "a narrower split.group_pattern makes smaller groups"
    if split.get("group_by") == "document":
        return "split.group_by = 'section' makes smaller groups"
    return "more sources, or long sections divided under their own headings, make smaller groups"
