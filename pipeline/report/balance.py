"""Whether the split came out as configured, and if not, why.

The split moves whole groups (a source section by default, widened across near-duplicates, identical
prompts and shared passages) so that paraphrases never straddle it. A few large groups can therefore
leave validation (or test) far from its ratio or below `split.min_validation`, and the ledger alone
shows only a small number: the risk table rates each held-out split's share against its ratio, and the
warning says what was asked for, what came out, which groups did it and which setting to change.
"""

import polars as pl

from pipeline.report.advice import finer_groups

TOLERANCE = 0.02  # two percentage points of the split examples
GROUPS_LISTED = 3
RATIOS = {"validation": "validation_ratio", "test": "test_ratio"}


def off_ratio(held: int, total: int, ratio: float) -> bool:
    """More than two points off the ratio, and not merely because no whole count of examples is closer."""
    return round(abs(held / total - ratio), 6) > TOLERANCE and abs(held - ratio * total) > 0.5


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
            f"{ratio:g} asks for about {round(target)} of {total} examples): {cause(kept, split, 'validation')}"
        ]
    missed = off_ratio(held, total, ratio)
    below_minimum = held < minimum
    if not missed and not below_minimum:
        return []
    problems = []
    if missed:
        problems.append(f"not the configured split.validation_ratio = {ratio:g} ({ratio:.1%}, about {round(target)})")
    if below_minimum:
        problems.append(f"below split.min_validation = {minimum} (one group always stays in training)")
    share = held / total
    return [
        f"validation holds {held} of {total} split examples ({share:.1%}), {' and '.join(problems)}: "
        f"{cause(kept, split, 'validation')}"
    ]


def split_health(kept: pl.DataFrame, split: dict | None) -> list[dict]:
    """One risk metric per held-out split the run asked for: its share of the split examples against its ratio,
    `warn` when more than two points off, with the cause and the setting to change."""
    if not split or kept.height == 0:
        return []
    total, found = kept.height, []
    for name, setting in RATIOS.items():
        ratio = split.get(setting) or 0.0
        held = kept.filter(pl.col("split") == name).height
        if ratio == 0 and held == 0:
            continue
        share = round(held / total, 4)
        asked = f"split.{setting} = {ratio:g}"
        if round(abs(held / total - ratio), 6) <= TOLERANCE:
            level = "ok"
            advice = f"{name.capitalize()} holds {share:.1%} of the split examples, as {asked} asks."
        elif not off_ratio(held, total, ratio):
            level = "ok"
            advice = (
                f"{name.capitalize()} holds {held} of {total} split examples ({share:.1%}): as near to the "
                f"{ratio:.1%} {asked} asks for as whole examples allow."
            )
        else:
            level = "warn"
            advice = (
                f"{name.capitalize()} holds {held} of {total} split examples ({share:.1%}), not the {ratio:.1%} "
                f"{asked} asks for (about {round(ratio * total)}): {cause(kept, split, name)}."
            )
        found.append(metric(f"{name}_share", share, level, advice, largest_groups(kept)))
    return found


def metric(name: str, value: float, level: str, advice: str, detail: str) -> dict:
    return {"group": "split", "metric": name, "value": value, "level": level, "advice": advice, "detail": detail}


def groups_by_size(kept: pl.DataFrame) -> pl.DataFrame:
    """The split's groups, largest first: examples, files and the file most of them come from."""
    file = pl.col("source").str.replace(r"[:#]\d+$", "")  # records are named `file:LINE` or `file#N`
    # A group's file is its commonest, the first by name on a tie (a mode per group is slow): counted per
    # (group, file), the counts in that order, each group's first row.
    per_file = kept.group_by("group", file.alias("file")).len("n").sort("n", "file", descending=[True, False])
    return (
        per_file.group_by("group")
        .agg(n=pl.col("n").sum(), files=pl.len(), file=pl.col("file").first())
        .sort("n", "group", descending=[True, False])
    )


def largest_groups(kept: pl.DataFrame) -> str:
    if "group" not in kept.columns:
        return ""
    groups = groups_by_size(kept)
    listed = [
        f"{n} from {file}{'' if files == 1 else f' and {files - 1} more files'}"
        for _, n, files, file in groups.head(GROUPS_LISTED).iter_rows()
    ]
    return f"{groups.height} groups; examples in the largest: " + ", ".join(listed)


def cause(kept: pl.DataFrame, split: dict, name: str) -> str:
    """The likely cause, from the groups the split recorded: min_validation above the ratio, a set too small for
    the ratio, one group, too few groups or a few large ones; each ends with what to change."""
    total, held = kept.height, kept.filter(pl.col("split") == name).height
    ratio, minimum = split.get(RATIOS[name]) or 0.0, split.get("min_validation", 0)
    target = ratio * total
    above = name == "validation" and off_ratio(held, total, ratio) and held > target
    if above and minimum > max(target, 1):
        return (
            f"split.min_validation = {minimum} asks for more than the ratio gives, so whole groups were added; a "
            "lower split.min_validation keeps to the ratio"
        )
    if above and target < 1:
        # pipeline.split keeps one validation example whenever there are two groups, whatever min_validation says.
        return (
            f"the ratio asks for less than one of {total} examples, and the split keeps at least one for validation "
            "so that validation loss is reported; more data brings the share to the ratio"
        )
    keeps = "the split keeps each group whole on one side so that paraphrases never straddle it"
    advice = finer_groups(split)
    if "group" not in kept.columns:
        return f"{keeps}, and a few large groups cannot be shared out by the ratio; {advice}"
    groups = groups_by_size(kept)
    if groups.height == 1:
        return (
            f"all {total} examples form one group (split.group_by = '{split.get('group_by', 'section')}', joined by "
            f"near-duplicates, identical prompts or shared 13-word passages), which the split keeps whole; {advice}"
        )
    n, files, top = groups.row(0)[1:]
    largest = f"the largest holds {n} examples ({n / total:.0%}, {'from' if files == 1 else 'mostly from'} {top})"
    if files > 1:
        largest += f", joined across {files} files by near-duplicates, identical prompts or shared 13-word passages"
    return f"{keeps}, and the {total} examples form {groups.height} groups; {largest}; {advice}"
