"""Checking records against a target: the JSON Schema, then the target's semantic rules.

The same `check_record` serves the pipeline's format stage (a rejected row per failing example) and
`ftprep validate` (every finding on every line). It never raises on any input: a value the checks do
not understand is itself a finding.
"""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl

from pipeline.errors import InputError
from pipeline.formats import Target, get_target
from pipeline.jsonschemas import json_path, validator
from pipeline.records import Split, reject


@dataclass(frozen=True)
class Finding:
    line: int
    code: str
    path: str
    message: str


@dataclass
class ValidationResult:
    target: str
    file: str
    records: int = 0
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict:
        codes: dict[str, int] = {}
        for finding in self.errors:
            codes[finding.code] = codes.get(finding.code, 0) + 1
        return {
            "ok": self.ok,
            "target": self.target,
            "file": self.file,
            "errors": [asdict(finding) for finding in self.errors],
            "warnings": [asdict(finding) for finding in self.warnings],
            "stats": {"records": self.records, "errors": len(self.errors), "errors_by_code": codes},
        }


def check_record(record: object, target: Target, line: int = 0) -> list[Finding]:
    """Every schema violation and semantic problem of one parsed record."""
    findings = [
        Finding(line, f"schema.{error.validator}", json_path(error.absolute_path), short(error.message))
        for error in sorted(
            validator(target.schema).iter_errors(record), key=lambda error: list(map(str, error.absolute_path))
        )
    ]
    if not findings and isinstance(record, dict):
        findings += [Finding(line, code, path, message) for code, path, message in target.semantic_checks(record)]
    return findings


def short(message: str, limit: int = 240) -> str:
    return message if len(message) <= limit else message[: limit - 3] + "..."


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
    rejected = reject(bad, "format", pl.col("_code"), pl.col("_detail")).drop("_code", "_detail")
    detail = pl.format(f"a {{}} row cannot be written as {target.name} (targets for it: `ftprep targets`)", "kind")
    rejected = pl.concat([rejected, reject(wrong_kind, "format", "wrong_kind", detail)], how="diagonal_relaxed")
    return Split(flagged.filter(pl.col("_code").is_null()).drop("_code", "_detail"), rejected)


def first_finding(record: dict, target: Target) -> tuple[str, str] | None:
    findings = check_record(record, target)
    if not findings:
        return None
    return findings[0].code, f"{findings[0].path}: {findings[0].message}"


def validate_file(path: str | Path, target_name: str) -> ValidationResult:
    """Every problem on every line of a JSONL file; an unreadable file is an InputError."""
    target = get_target(target_name)
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or error}); check the path") from None
    result = ValidationResult(target=target.name, file=str(path))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        result.errors.append(
            Finding(line, "file.encoding", "(file)", f"byte 0x{data[error.start]:02X} is not valid UTF-8")
        )
        text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        result.errors.append(
            Finding(1, "file.bom", "(file)", "the file starts with a byte-order mark; save it as UTF-8 without BOM")
        )
        text = text[1:]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for number, line in enumerate(lines, start=1):
        result.errors.extend(check_line(line, number, target))
        result.records += 1
    if target.min_examples and result.records < target.min_examples:
        result.errors.append(
            Finding(
                0,
                "file.too_few_examples",
                "(file)",
                f"{result.records} records; {target.name} needs at least {target.min_examples}",
            )
        )
    return result


def check_line(line: str, number: int, target: Target) -> list[Finding]:
    if not line.strip():
        return [Finding(number, "file.blank_line", "(line)", "blank line; JSONL needs one JSON object per line")]
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return [Finding(number, "json.invalid", "(line)", f"column {error.colno}: {error.msg}")]
    except RecursionError:
        return [Finding(number, "json.invalid", "(line)", "nesting too deep")]
    return check_record(record, target, number)
