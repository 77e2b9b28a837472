"""Checking records against a target: the JSON Schema, then the target's semantic rules.

`check_record` is the format stage's per-record check (a rejected row per failing example; tests use it
too); `ftprep validate` applies the same schema and semantic rules through
`checks/validate/record_checks.py` (every finding on every line). `check_record` never raises on any input:
a value the checks do not understand is itself a finding.
"""

from pathlib import Path

import polars as pl

from pipeline.checks.explain import schema_findings_of
from pipeline.checks.finding import Finding, placed
from pipeline.checks.jsonschemas import explainer
from pipeline.checks.targets import Target, get_target
from pipeline.checks.validate.engine import Options, validate_files
from pipeline.checks.validate.result import ValidationResult
from pipeline.records import Split, reject


def check_record(record: object, target: Target, line: int = 0) -> list[Finding]:
    """Every schema violation and semantic problem of one parsed record (not the target's warnings)."""
    findings = schema_findings_of(explainer(target.schema)(record), line)
    if not findings and isinstance(record, dict):
        findings += [f for f in placed(target.semantic_checks(record), line) if f.code not in target.warnings]
    return findings


def check_format(examples: pl.DataFrame, target_name: str) -> Split:
    """The format stage: render each example in the target format and reject the ones that fail.

    A vectorised pass clears the rows that certainly pass; jsonschema runs only on the rest, to name
    the exact problem (at 10k examples this is the difference between 0.1 s and 8 s).
    """
    target = get_target(target_name)
    wrong_kind = examples.filter(~pl.col("kind").is_in(list(target.kinds)))
    examples = examples.filter(pl.col("kind").is_in(list(target.kinds)))
    records = target.to_records(examples)
    clean = target.clean_rows(records)
    suspects = records.with_row_index("_row").filter(~clean)
    problems = {
        row: first_finding(record, target)
        for row, record in zip(suspects["_row"], suspects.drop("_row").to_dicts(), strict=True)
    }
    flagged = (
        examples.with_row_index("_row")
        .with_columns(
            _code=pl.col("_row").replace_strict(
                {row: p[0] for row, p in problems.items() if p}, default=None, return_dtype=pl.String
            ),
            _detail=pl.col("_row").replace_strict(
                {row: p[1] for row, p in problems.items() if p}, default=None, return_dtype=pl.String
            ),
        )
        .drop("_row")
    )
    bad = flagged.filter(pl.col("_code").is_not_null())
    rejected = reject(bad, pl.col("_code"), pl.col("_detail")).drop("_code", "_detail")
    detail = pl.format(f"a {{}} row cannot be written as {target.name} (targets for it: `ftprep targets`)", "kind")
    rejected = pl.concat([rejected, reject(wrong_kind, "wrong_kind", detail)], how="diagonal_relaxed")
    return Split(flagged.filter(pl.col("_code").is_null()).drop("_code", "_detail"), rejected)


def first_finding(record: dict, target: Target) -> tuple[str, str] | None:
    findings = check_record(record, target)
    if not findings:
        return None
    return findings[0].code, f"{findings[0].path}: {findings[0].message}"


def validate_file(path: str | Path, target_name: str, **options: object) -> ValidationResult:
    """Every problem on every line of one JSONL file (see pipeline.checks.validate); unreadable: InputError."""
    return validate_files([path], Options(target=target_name, **options))  # type: ignore[arg-type]
