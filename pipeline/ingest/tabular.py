"""Record files (JSONL, JSON, CSV, Parquet) -> (record name, record) pairs, or rejects naming the line.

A record is named `file:LINE` in JSONL (the line a user opens) and `file#N` in the other formats
(the N-th record, 1-based), so every reject points at the exact place to fix.
"""

import io
import json

import polars as pl

from pipeline.ingest.files import Problem

Named = tuple[str, object]


def parse_json_line(line: str) -> tuple[object, None] | tuple[None, Problem]:
    """Strict JSON: NaN and Infinity are refused (the standard has no such numbers), and a key that appears
    twice in one object is refused too (parsers keep only the last value, silently)."""
    try:
        return json.loads(line, parse_constant=refuse_constant, object_pairs_hook=unique_keys), None
    except json.JSONDecodeError as error:
        return None, ("invalid_json", f"column {error.colno}: {error.msg}")
    except RecursionError:
        return None, ("invalid_json", "nesting too deep")
    except StrictJSONError as error:
        return None, (error.reason, str(error))


class StrictJSONError(ValueError):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def refuse_constant(name: str) -> object:
    raise StrictJSONError("invalid_json", f"{name} is not valid JSON; use null or a number")


def unique_keys(pairs: list[tuple[str, object]]) -> dict:
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise StrictJSONError("duplicate_key", f"key {key!r} appears twice in one object; which value is meant?")
        seen.add(key)
    return dict(pairs)


def jsonl_records(source: str, text: str) -> tuple[list[Named], list[tuple[str, Problem]]]:
    records, problems = [], []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        record, problem = parse_json_line(line)
        if problem is None:
            records.append((f"{source}:{number}", record))
        else:
            problems.append((f"{source}:{number}", problem))
    return records, problems


def json_records(source: str, text: str) -> tuple[list[Named], list[tuple[str, Problem]]]:
    """A JSON array is a list of records; any other JSON value is one record."""
    value, problem = parse_json_line(text)
    if problem is not None:
        return [], [(source, problem)]
    items = value if isinstance(value, list) else [value]
    return [(f"{source}#{index}", item) for index, item in enumerate(items, start=1)], []


def frame_records(source: str, data: bytes, kind: str) -> tuple[list[Named], list[tuple[str, Problem]]]:
    """CSV (every column read as text, so ids keep their leading zeros) or Parquet."""
    try:
        if kind == "csv":
            frame = pl.read_csv(io.BytesIO(data), infer_schema=False, encoding="utf8-lossy")
        else:
            frame = pl.read_parquet(io.BytesIO(data))
    except (pl.exceptions.PolarsError, OSError, ValueError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return [], [(source, ("unreadable", f"not a readable {kind.upper()} file: {first_line}"))]
    return [(f"{source}#{index}", row) for index, row in enumerate(frame.to_dicts(), start=1)], []
