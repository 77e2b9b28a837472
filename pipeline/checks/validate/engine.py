"""Validation of one or two files (train, validation) against a target, over chunks in parallel processes.

Each chunk of lines is parsed and checked where it is, and only compact results travel back:
findings, token counts and hashes. Checks that span records (duplicates, conflicts, mixed formats,
train/validation overlap, system-prompt consistency) then run on those hashes in the parent.
"""

import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import orjson
import polars as pl

from pipeline.checks.finding import Finding
from pipeline.checks.targets import Target, get_target
from pipeline.checks.validate.columnar import check_chat_file
from pipeline.checks.validate.costs import estimate
from pipeline.checks.validate.dataset_checks import cross_record_findings
from pipeline.checks.validate.dataset_info import DatasetMapping
from pipeline.checks.validate.file_kind import file_kind_finding, is_json_array
from pipeline.checks.validate.keys import from_material
from pipeline.checks.validate.lines import byte_ranges, split_lines
from pipeline.checks.validate.per_line import check_chunk, check_range
from pipeline.checks.validate.processes import process_pool
from pipeline.checks.validate.result import ValidationResult
from pipeline.checks.validate.stats import example_stats, token_stats
from pipeline.config import TokensConfig
from pipeline.errors import InputError
from pipeline.tokens import resolve

PARALLEL_FROM_LINES = 20_000  # below this a process pool costs more than it saves
PARALLEL_EXPLAIN_LINES = 2_000  # lines the columnar pass leaves to the per-line engine, from which processes share them
DEFAULT_LIMIT = 65_536


@dataclass(frozen=True)
class Options:
    target: str
    model: str | None = None
    tokens: bool = True
    response_schema: dict | None = None
    workers: int | None = None
    columnar: bool = True  # the whole-file pass for OpenAI chat files; False forces the per-line engine
    dataset: DatasetMapping | None = None  # a LLaMA-Factory dataset_info.json entry: records are read under it


def validate_files(paths: Sequence[str | Path], options: Options) -> ValidationResult:
    target = get_target(options.target)
    encoding_name, limit, estimated = token_settings(target, options.model)
    result = ValidationResult(target=target.name, files=[str(path) for path in paths])
    per_file, arrays = [], set()
    for path in paths:
        rows, errors, warnings, unit = check_file(Path(path), target, options, encoding_name, limit)
        result.errors += errors
        result.warnings += warnings
        result.records += rows.height
        if unit:  # a file that is not JSONL text at all has its one error; counting its records adds nothing
            per_file.append((str(path), rows))
        if unit == "record":
            arrays.add(str(path))
    errors, warnings = cross_record_findings(per_file, target)
    result.errors += errors
    result.warnings += warnings
    if arrays:
        result.errors = [by_record(finding) if finding.file in arrays else finding for finding in result.errors]
        result.warnings = [by_record(finding) if finding.file in arrays else finding for finding in result.warnings]
    order = {name: index for index, name in enumerate(result.files)}
    result.errors.sort(key=lambda f: (order.get(f.file, 0), f.line))  # stable: a line's findings keep their order
    result.warnings.sort(key=lambda f: (order.get(f.file, 0), f.line))
    if per_file and per_file[0][0] == str(paths[0]):  # the cookbook's statistics, of the training file
        result.stats["examples"] = example_stats(per_file[0][1])
    if options.tokens and per_file and per_file[0][0] == str(paths[0]):
        result.stats["tokens"] = token_stats(per_file[0][1], encoding_name, limit, estimated)
        counts = per_file[0][1]["tokens"].drop_nulls().to_numpy()
        result.stats["cost"] = estimate(counts, limit, options.model or "gpt-4o-mini") if not estimated else None
    return result


def token_settings(target: Target, model: str | None) -> tuple[str, int, bool]:
    """(encoding, per-example limit, whether counts are only an estimate of the provider's tokenizer)."""
    if model:
        name, limit = resolve(model, TokensConfig())
        return name, limit, not target.name.startswith("openai")
    if target.name.startswith("openai"):
        name, limit = resolve("gpt-4o-mini", TokensConfig())
        return name, limit, False
    return "o200k_base", DEFAULT_LIMIT, True


def by_record(finding: Finding) -> Finding:
    """A finding of a JSON array file, numbered by item: "record 3", never a line of the file it is not on."""
    if not finding.line:
        return finding
    message = finding.message
    if finding.code in ("dataset.duplicate", "dataset.conflict"):  # they name an earlier item of the same file
        message = SAME_FILE_LINE.sub(r"record \1", message)
    return replace(finding, unit="record", message=message)


SAME_FILE_LINE = re.compile(r"\bline (\d+)")


def check_file(
    path: Path, target: Target, options: Options, encoding: str, limit: int
) -> tuple[pl.DataFrame, list[Finding], list[Finding], str]:
    """(hashed rows, errors, warnings, unit) of one file; the unit is what its numbers count: "line", "record"
    (the items of a JSON array), or "" when the file was not read as records (empty, compressed, ...)."""
    try:
        info = path.stat()
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or error}); check the path") from None
    if not stat.S_ISREG(info.st_mode):  # opening a FIFO would wait for a writer forever
        raise InputError(f"{path}: not a regular file (a folder, pipe, socket or device); pass a JSONL file")
    size = info.st_size
    errors = []
    if target.max_file_bytes and size > target.max_file_bytes:
        message = f"{size} bytes; {target.name} accepts at most {target.max_file_bytes}"
        errors.append(Finding(0, "file.too_large", "(file)", message, str(path)))
    kind = file_kind_finding(path, size)
    if kind is not None:  # empty, compressed or one pretty-printed document: one error, no per-line noise
        return from_material([]), [*errors, kind], [], ""
    job = (target.name, options.tokens, options.response_schema, encoding, limit, str(path))
    if options.columnar and target.schema == "openai-chat" and options.response_schema is None:
        checked = check_chat_file(path, job, workers(options.workers), PARALLEL_EXPLAIN_LINES)
        if checked is not None:
            rows, chat_errors, warnings = checked
            return rows, errors + chat_errors, warnings, "line"
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or error}); check the path") from None
    ranges = byte_ranges(data, workers(options.workers), PARALLEL_FROM_LINES) if options.dataset is None else None
    array = False
    if ranges is not None:
        # Large JSONL: workers read their own byte range, so no line travels between processes.
        first = split_lines(data[: min(len(data), 8)])[1]  # a BOM, reported once
        errors += [Finding(f.line, f.code, f.path, f.message, str(path)) for f in first if f.code == "file.bom"]
        del data
        with process_pool(workers(options.workers)) as pool:
            results = list(pool.map(check_range, [(job, str(path), *span) for span in ranges]))
    else:
        array = is_json_array(data)
        lines, file_findings = split_lines(data, target.reads_json_array)
        errors += [Finding(f.line, f.code, f.path, f.message, str(path)) for f in file_findings]
        del data
        if options.dataset is not None:
            lines = remap_lines(lines, options.dataset)
        results = [check_chunk((job, lines))]
        if not lines:  # an empty JSON array: nothing to train on
            message = "the JSON array holds no record; a training file needs at least one"
            errors.append(Finding(0, "file.empty", "(file)", message, str(path)))
    material: list[tuple] = []  # key material in keys.MATERIAL's order
    warnings = []
    for chunk_result in results:
        errors += chunk_result.errors
        warnings += chunk_result.warnings
        material += chunk_result.rows
    if options.dataset is not None:
        errors, warnings = own_paths(errors, options.dataset), own_paths(warnings, options.dataset)
    return from_material(material), errors, warnings, "record" if array else "line"


def remap_lines(lines: list[tuple[int, bytes]], mapping: DatasetMapping) -> list[tuple[int, bytes]]:
    """Each record under the target's column and tag names; a line that is not JSON stays as it is."""
    remapped = []
    for number, raw in lines:
        try:
            remapped.append((number, orjson.dumps(mapping.to_canonical(orjson.loads(raw)))))
        except orjson.JSONDecodeError:
            remapped.append((number, raw))
    return remapped


def own_paths(findings: list[Finding], mapping: DatasetMapping) -> list[Finding]:
    return [replace(f, path=mapping.user_path(f.path)) for f in findings]


def workers(requested: int | None) -> int:
    return requested or max(1, min(os.cpu_count() or 1, 8))
