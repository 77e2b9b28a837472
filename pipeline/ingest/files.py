"""Finding input files and reading their bytes as text, with the failure reasons users need."""

import fnmatch
import functools
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pipeline.errors import InputError


@dataclass(frozen=True)
class SourceFile:
    path: Path
    name: str  # how the file is named in outputs: relative to the source folder it was found in


def discover_files(paths: Sequence[str | Path], exclude: list[str]) -> Iterator[SourceFile]:
    """Yield the files under `paths` in a stable order; a path that does not exist is an InputError."""
    for raw in paths:
        root = Path(raw)
        if root.is_file():
            yield SourceFile(root, root.name)
        elif root.is_dir():
            found = []
            for folder, dirnames, filenames in os.walk(root, followlinks=False):
                dirnames.sort()
                for filename in filenames:
                    path = Path(folder, filename)
                    relative = PurePosixPath(path.relative_to(root).as_posix())
                    if not is_excluded(relative, exclude):
                        found.append(SourceFile(path, f"{root.name}/{relative}"))
            yield from sorted(found, key=lambda source: source.name)
        else:
            raise InputError(f"{root}: no such file or folder; pass existing files or folders as SOURCES")


def is_excluded(relative: PurePosixPath, patterns: list[str]) -> bool:
    """Whether a pattern matches the whole relative path (fnmatch) or its last parts (`PurePath.match`)."""
    text, parts = relative.as_posix(), relative.parts
    for pattern, pattern_parts in split_patterns(tuple(patterns)):
        if fnmatch.fnmatchcase(text, pattern):
            return True
        if pattern_parts is None:  # empty or absolute: left to PurePath.match, which says what it makes of them
            if relative.match(pattern):
                return True
        elif len(pattern_parts) <= len(parts) and all(
            fnmatch.fnmatchcase(part, part_pattern)
            for part, part_pattern in zip(reversed(parts), reversed(pattern_parts), strict=False)
        ):
            return True
    return False


@functools.lru_cache(maxsize=16)
def split_patterns(patterns: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...] | None], ...]:
    """Each pattern with its parts, as `PurePath.match` splits it on every call (most of a 10,000-file walk's
    time): a relative pattern matches when it matches the path's last parts one by one."""
    split = [(pattern, PurePosixPath(pattern).parts) for pattern in patterns]
    return tuple((pattern, parts if parts and not pattern.startswith("/") else None) for pattern, parts in split)


BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

Problem = tuple[str, str]  # (reason code, detail for people)


def read_bytes(path: Path, max_bytes: int) -> tuple[bytes, None] | tuple[None, Problem]:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # reading a FIFO or a device would block or never end
            return None, ("not_a_file", "a named pipe, socket or device, not a regular file")
        size = info.st_size
        if size > max_bytes:
            return None, ("too_large", f"{size} bytes exceeds ingest.max_file_mb")
        return path.read_bytes(), None
    except OSError as error:
        return None, ("unreadable", error.strerror or str(error))


def decode_text(data: bytes, fallback: str | None = None) -> tuple[str, None] | tuple[None, Problem]:
    """UTF-8 unless a byte-order mark says otherwise; a legacy encoding only when configured, never guessed."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), None
            except UnicodeDecodeError as error:
                return None, ("encoding", f"invalid {encoding} at byte offset {error.start + len(bom)}")
    if b"\x00" in data[:8192]:
        return None, ("binary", "the file contains NUL bytes; it is not text")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        if fallback:
            return data.decode(fallback, errors="replace"), None
        line = data[: error.start].count(b"\n") + 1
        return None, (
            "encoding",
            f"line {line}: byte 0x{data[error.start]:02X} at offset {error.start} is not valid UTF-8; "
            "re-save the file as UTF-8 or set ingest.fallback_encoding (e.g. 'cp1252')",
        )
