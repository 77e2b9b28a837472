"""What a file is before it is read as JSONL: empty, compressed, or one JSON document over many lines.

Each of these would otherwise come out as one finding per line (4,000 `file.encoding` errors for a
gzip file, 51 `json.invalid` for a pretty-printed object) that never says what the file is; here it is
one error that names the fix, and the file is not read line by line.

A JSON array is not one of these: split_lines reads its items as records (lines.py). An empty file is
an error for every target: no trainer or provider trains on zero records (OpenAI's file check needs at
least 10 examples, https://platform.openai.com/docs/guides/supervised-fine-tuning; TRL's SFTTrainer and
datasets' json builder raise on an empty dataset).
"""

import json
from pathlib import Path

import orjson

from pipeline.checks.finding import Finding
from pipeline.checks.validate.lines import BOM

HEAD = 65_536  # bytes read to tell what the file is

# Magic numbers of the archive and columnar formats a dataset is often shipped in, with how to get JSONL
# out of each (gzip: RFC 1952 section 2.3.1; zip: PKWARE APPNOTE 4.3.7; Parquet: the parquet-format
# spec's "PAR1"; zstd: RFC 8878 section 3.1.1; bzip2 "BZh" + block size + block magic; xz: its spec 2.1.1.1).
COMPRESSED: tuple[tuple[bytes, str, str, str], ...] = (
    (b"\x1f\x8b", "gzip", ".gz", "decompress it (gunzip -c {file} > {out}) and validate {out}"),
    (b"PK\x03\x04", "zip", ".zip", "extract it (unzip {file}) and validate the .jsonl inside"),
    (b"PAR1", "Parquet", ".parquet", "convert it (polars: pl.read_parquet('{file}').write_ndjson('{out}'))"),
    (b"\x28\xb5\x2f\xfd", "zstd", ".zst", "decompress it (zstd -dc {file} > {out}) and validate {out}"),
    (b"\xfd7zXZ\x00", "xz", ".xz", "decompress it (xz -dc {file} > {out}) and validate {out}"),
    (b"BZh", "bzip2", ".bz2", "decompress it (bzip2 -dc {file} > {out}) and validate {out}"),
)


def file_kind_finding(path: Path, size: int) -> Finding | None:
    """One error when the file is not JSONL text at all (empty, compressed, one pretty-printed document);
    None when it should be read line by line."""
    with path.open("rb") as handle:
        head = handle.read(HEAD)
    for magic, name, suffix, fix in COMPRESSED:
        if head.startswith(magic) and (name != "bzip2" or head[4:10] == b"1AY&SY"):  # bzip2: also its block magic
            out = path.name.removesuffix(suffix) if path.name.endswith(suffix) else f"{path.stem}.decompressed"
            out = out if out.endswith(".jsonl") else f"{out}.jsonl"
            message = f"this is a {name} file, not JSONL text; {fix.format(file=path.name, out=out)}"
            return Finding(0, "file.compressed", "(file)", message, str(path))
    body = head.removeprefix(BOM)
    if not body.strip() and (size <= len(head) or not path.read_bytes().strip()):
        message = "the file is empty (no record); a training file needs at least one JSON object per line"
        return Finding(0, "file.empty", "(file)", message, str(path))
    return one_document(path, body)


def one_document(path: Path, body: bytes) -> Finding | None:
    """A pretty-printed JSON object (or a broken pretty-printed array) over many lines, as one error.

    Only a file whose first line opens a document without closing it is read whole: a JSONL file's
    first line is a complete object (or a broken one, followed by lines that parse on their own)."""
    lines = body.lstrip().split(b"\n", 2)
    first = lines[0].strip()
    if first[:1] not in (b"{", b"[") or not any(line.strip() for line in lines[1:]) or parses(first):
        return None
    data = path.read_bytes().removeprefix(BOM)
    count = data.count(b"\n") + (not data.endswith(b"\n"))
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        value = None
    else:
        if isinstance(value, list):
            return None  # a JSON array: its items are read as records (lines.split_lines)
        fix = f"jq -c . {path.name} > {path.stem}.jsonl"
        kind = "object" if isinstance(value, dict) else "value"
        message = f"this file is one JSON {kind} over {count} lines; write one object per line (e.g. {fix})"
        return Finding(0, "file.pretty_json", "(file)", message, str(path))
    rest = [line for line in data.split(b"\n")[1:40] if line.strip()]
    if sum(parses(line) for line in rest) >= min(2, len(rest)) and rest:
        return None  # JSONL whose first line is broken: the per-line findings say which lines
    try:
        json.loads(data.decode("utf-8", "replace"))
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}: {error.msg}"
    except RecursionError:
        where = "nesting too deep"
    else:  # orjson refused what json accepts (NaN, Infinity)
        where = "NaN or Infinity is not valid JSON"
    fix = f"jq -c '.[]' {path.name} > {path.stem}.jsonl" if first.startswith(b"[") else f"jq -c . {path.name}"
    message = (
        f"this file is one JSON document over {count} lines and it is not valid JSON ({where}); "
        f"fix it, then write one object per line (e.g. {fix})"
    )
    return Finding(0, "file.pretty_json", "(file)", message, str(path))


def parses(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


def is_json_array(data: bytes) -> bool:
    """Whether split_lines reads this file as a JSON array, whose records are numbered by item, not line."""
    stripped = data.removeprefix(BOM).lstrip()
    if not stripped.startswith(b"["):
        return False
    try:
        return isinstance(orjson.loads(stripped), list)
    except orjson.JSONDecodeError:
        return False
