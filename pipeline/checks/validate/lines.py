"""Bytes of a JSONL file -> (line number, record) pairs, with every file- and JSON-level finding.

orjson parses each line (it also refuses NaN and Infinity, which the JSON standard does not allow);
the standard library only re-reads a line to explain it: the column of a syntax error, a NaN, or a
duplicate key (which parsers silently resolve by keeping the last value).
"""

import json

import orjson

from pipeline.checks.finding import Finding
from pipeline.checks.validate.nul import RAW, may_hold_nul, nul_findings, with_raw_nul_escaped

BOM = b"\xef\xbb\xbf"


def split_lines(data: bytes, json_array_ok: bool = False) -> tuple[list[tuple[int, bytes]], list[Finding]]:
    """Numbered raw lines plus file-level findings (BOM, a JSON array where the target needs JSONL).

    With `json_array_ok` (the target's trainer reads JSON arrays) an array is split into its records silently.
    """
    findings = []
    if data.startswith(BOM):
        findings.append(
            Finding(1, "file.bom", "(file)", "the file starts with a byte-order mark; save it as UTF-8 without BOM")
        )
        data = data[len(BOM) :]
    stripped = data.lstrip()
    if stripped.startswith(b"["):
        try:
            items = orjson.loads(stripped)
        except orjson.JSONDecodeError:
            items = None
        if isinstance(items, list):
            if not json_array_ok:
                findings.append(
                    Finding(0, "file.json_array", "(file)", "a JSON array; JSONL needs one JSON object per line")
                )
            return [(index, orjson.dumps(item)) for index, item in enumerate(items, start=1)], findings
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [(number, line.rstrip(b"\r")) for number, line in enumerate(lines, start=1)], findings


def parse_line(number: int, raw: bytes) -> tuple[object, list[Finding]]:
    """The record of one line (None when it has none) and what is wrong with the line itself."""
    if not raw.strip():
        return None, [Finding(number, "file.blank_line", "(line)", "blank line; JSONL needs one JSON object per line")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, [
            Finding(
                number,
                "file.encoding",
                "(line)",
                f"byte 0x{raw[error.start]:02X} at column {error.start + 1} is not valid UTF-8",
            )
        ]
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError:
        record = with_raw_nul_escaped(raw) if RAW in raw else None
        if record is None:
            return None, [explain_bad_json(number, text)]
    findings = [] if not maybe_duplicate_keys(raw, record) else duplicate_keys(number, text)
    if may_hold_nul(raw):
        findings += nul_findings(number, record, RAW in raw)
    if not isinstance(record, dict):
        findings.append(
            Finding(number, "json.not_an_object", "(line)", f"a JSON {type(record).__name__}, expected an object")
        )
    return record, findings


def explain_bad_json(number: int, text: str) -> Finding:
    special: list[str] = []  # NaN, Infinity or -Infinity
    try:
        json.loads(text, parse_constant=special.append)
    except (json.JSONDecodeError, RecursionError) as error:
        message = (
            f"column {error.colno}: {error.msg}" if isinstance(error, json.JSONDecodeError) else "nesting too deep"
        )
        return Finding(number, "json.invalid", "(line)", message)
    if special:
        return Finding(
            number, "json.nan_or_infinity", "(line)", f"{special[0]} is not valid JSON; use null or a number"
        )
    return Finding(number, "json.invalid", "(line)", "not valid JSON")


def maybe_duplicate_keys(raw: bytes, record: object) -> bool:
    """Cheap test: a parser keeps one value per key, so a duplicate leaves more `":` in the text than keys.

    For the usual chat shape the keys are counted directly; otherwise re-serialising (orjson, in C)
    gives the count, since colons inside strings are escaped the same way in both texts. Only a real
    duplicate, or a colon inside a string, sends a line to the exact (slow) re-read.
    """
    colons = raw.count(b'":') + raw.count(b'" :')
    messages = record.get("messages") if isinstance(record, dict) and len(record) == 1 else None
    if type(messages) is list and all(type(m) is dict for m in messages):
        flat = all(type(v) in (str, int) for m in messages for v in m.values())
        if flat and colons == 1 + sum(map(len, messages)):
            return False
    return colons > orjson.dumps(record).count(b'":')


def duplicate_keys(number: int, text: str) -> list[Finding]:
    found: list[Finding] = []

    def check(pairs: list[tuple[str, object]]) -> dict:
        seen = set()
        for key, _ in pairs:
            if key in seen:
                found.append(
                    Finding(
                        number,
                        "json.duplicate_key",
                        key,
                        f"key {key!r} appears twice in one object; parsers keep only the last",
                    )
                )
            seen.add(key)
        return dict(pairs)

    json.loads(text, object_pairs_hook=check)
    return found


def byte_ranges(data: bytes, workers: int, parallel_from: int) -> list[tuple[int, int, int]] | None:
    """(start, end, first line number) of about 4 chunks per worker, cut at line ends; None for small
    files and JSON arrays, which are checked in this process."""
    if data.count(b"\n") < parallel_from or data.lstrip()[:1] == b"[":
        return None
    offset = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    count = workers * 4
    step = max(1, (len(data) - offset) // count)
    ranges, start, line = [], offset, 1
    while start < len(data):
        cut = data.find(b"\n", min(len(data), start + step))
        end = len(data) if cut == -1 else cut + 1
        ranges.append((start, end, line))
        line += data.count(b"\n", start, end)
        start = end
    return ranges
