"""Checks across records: one format throughout, duplicates, conflicting answers, one system prompt,
train/validation overlap, and the example-count bounds of the target.

They run as polars expressions over the hashed rows of keys.py, in line order, so
"the first" of a group is always the earliest line.
"""

import polars as pl

from pipeline.checks.finding import Finding
from pipeline.checks.targets import Target


def cross_record_findings(
    per_file: list[tuple[str, pl.DataFrame]], target: Target
) -> tuple[list[Finding], list[Finding]]:
    errors, warnings = [], []
    for file, rows in per_file:
        errors += count_bounds(file, rows.height, target)
        errors += mixed_forms(file, rows) if target.form_of is not None else mixed_formats(file, rows)
        warnings += duplicates_and_conflicts(file, rows)
        warnings += system_consistency(file, rows)
    if len(per_file) == 2:
        errors += overlap(per_file[0], per_file[1])
    return errors, warnings


def count_bounds(file: str, count: int, target: Target) -> list[Finding]:
    if target.min_examples and count < target.min_examples:
        message = f"{count} records; {target.name} needs at least {target.min_examples}"
        return [Finding(0, "file.too_few_examples", "(file)", message, file)]
    if target.max_examples and count > target.max_examples:
        message = f"{count} records; {target.name} accepts at most {target.max_examples}"
        return [Finding(0, "file.too_many_examples", "(file)", message, file)]
    return []


def mixed_formats(file: str, rows: pl.DataFrame) -> list[Finding]:
    """Valid lines in another of the target's accepted forms than the file's usual one (trainers load
    a file as one table, so a mix of, say, prompt-completion and messages lines fails there)."""
    valid = rows.filter("passed").select("number", "shape")
    shapes = (
        valid.group_by("shape")
        .agg(count=pl.len(), first=pl.col("number").min())
        .sort("count", "first", descending=[True, False])
    )
    if shapes.height < 2:
        return []
    usual = set(shapes["shape"][0])
    odd = [list(shape) for shape in shapes["shape"].to_list() if not (set(shape) <= usual or usual <= set(shape))]
    message = "keys {} differ from the file's usual {}"
    return [
        Finding(number, "file.mixed_format", "(record)", message.format(shape, sorted(usual)), file)
        for number, shape in valid.filter(pl.col("shape").is_in(odd)).iter_rows()
    ]


def mixed_forms(file: str, rows: pl.DataFrame) -> list[Finding]:
    """Valid records in another form than the file's first valid one, for targets that name forms (TRL:
    a trainer reads the format from the first record, `is_conversational(dataset[0])` in trl/data_utils.py,
    and loads the file as one table). Each odd record is one finding."""
    valid = rows.filter("passed").select("number", "shape").sort("number")
    if valid.height < 2:
        return []
    first, (form,) = valid.row(0)
    message = "this record is {}, the file's first record (line {}) {}: a trainer reads one form per file"
    return [
        Finding(number, "file.mixed_format", "(record)", message.format(shape[0], first, form), file)
        for number, shape in valid.slice(1).iter_rows()
        if shape != [form]
    ]


def duplicates_and_conflicts(file: str, rows: pl.DataFrame) -> list[Finding]:
    """A record seen before is a duplicate; a new record whose prompt was seen with another answer conflicts."""
    keyed = rows.filter(pl.col("record").is_not_null()).select(
        "number", "record", "prompt", "answers", first=pl.col("number").first().over("record")
    )
    duplicates = keyed.filter(pl.col("number") != pl.col("first"))
    distinct = keyed.filter(pl.col("number") == pl.col("first"), pl.col("prompt").is_not_null())
    conflicts = distinct.with_columns(
        first=pl.col("number").first().over("prompt"), first_answer=pl.col("answers").first().over("prompt")
    ).filter(pl.col("answers").ne_missing(pl.col("first_answer")))
    found = [
        (number, Finding(number, "dataset.duplicate", "(record)", f"same record as line {first}", file))
        for number, first in duplicates.select("number", "first").iter_rows()
    ]
    found += [
        (
            number,
            Finding(
                number, "dataset.conflict", "(record)", f"same prompt as line {first} with a different answer", file
            ),
        )
        for number, first in conflicts.select("number", "first").iter_rows()
    ]
    return [finding for _, finding in sorted(found, key=lambda pair: pair[0])]


def system_consistency(file: str, rows: pl.DataFrame) -> list[Finding]:
    """When one system prompt dominates (80% or more), records with another one are probably a mistake."""
    systems = (
        rows.filter(pl.col("system").is_not_null()).group_by("system").agg(count=pl.len(), first=pl.col("number").min())
    )
    if systems.height < 2:
        return []
    usual = systems.sort("count", "first", descending=[True, False]).row(0, named=True)
    if usual["count"] < 0.8 * rows.height:
        return []
    odd = rows.filter(pl.col("system").is_not_null(), pl.col("system") != usual["system"])
    message = "a different system prompt from the file's usual one"
    return [Finding(number, "semantic.system_inconsistent", "(system)", message, file) for number in odd["number"]]


def overlap(train: tuple[str, pl.DataFrame], validation: tuple[str, pl.DataFrame]) -> list[Finding]:
    """The same prompt and answer in both files (OpenAI: 'The same data should not be present in both')."""
    seen = (
        train[1]
        .filter(pl.col("prompt").is_not_null())
        .group_by("prompt", "answers")
        .agg(train_line=pl.col("number").min())
    )
    shared = validation[1].join(seen, on=["prompt", "answers"], how="inner", nulls_equal=True).sort("number")
    return [
        Finding(
            number, "dataset.train_validation_overlap", "(record)", f"also in {train[0]} at line {line}", validation[0]
        )
        for number, line in shared.select("number", "train_line").iter_rows()
    ]
