"""NUL characters (U+0000) in a record: an error at each field that holds one.

JSON allows U+0000 only escaped (RFC 8259 section 7: control characters must be escaped), and an
escaped one still reaches the trainer's text: SentencePiece drops it while training
(google/sentencepiece issue 331, "null character is simply ignored"), so the model learns from another
text than the file shows, and PostgreSQL's json/jsonb and text types refuse it ("jsonb will reject
\\u0000", https://www.postgresql.org/docs/current/datatype-json.html), where many dataset stores keep
records. No real answer needs one: it is left over from binary data or a C string.
"""

import orjson

from pipeline.checks.finding import Finding
from pipeline.checks.jsonschemas import json_path

ESCAPED = b"\\u0000"
RAW = b"\x00"
MAX_FIELDS = 5  # a record full of NULs is one problem; name the first few fields


def may_hold_nul(raw: bytes) -> bool:
    """Cheap test on the line's bytes (two C-level searches) before the record is walked."""
    return RAW in raw or ESCAPED in raw


def with_raw_nul_escaped(raw: bytes) -> object | None:
    """The record of a line that is valid JSON but for raw NUL bytes inside its strings, else None."""
    try:
        return orjson.loads(raw.replace(RAW, ESCAPED))
    except orjson.JSONDecodeError:
        return None


def nul_findings(number: int, record: object, raw_bytes: bool) -> list[Finding]:
    """One error per field (key or string value) holding U+0000, with its path."""
    paths: list[str] = []

    def walk(value: object, parts: tuple[str | int, ...]) -> None:
        if len(paths) >= MAX_FIELDS:
            return
        if isinstance(value, str):
            if "\x00" in value:
                paths.append(json_path(parts))
        elif isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    paths.append(json_path((*parts, key)))
                walk(item, (*parts, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*parts, index))

    walk(record, ())
    what = "a raw NUL byte (0x00), which JSON does not allow" if raw_bytes else "a NUL character (\\u0000)"
    message = f"holds {what}; trainers drop or choke on it and databases refuse it: remove it"
    return [Finding(number, "json.nul_character", path, message) for path in paths]
