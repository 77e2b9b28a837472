"""Finding input files and reading their bytes as text, with the failure reasons users need."""

import fnmatch
import functools
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pipeline.errors import InputError
from pipeline.io import read_blocks


@dataclass(frozen=True)
class SourceFile:
    path: Path
    name: str  # how the file is named in outputs: relative to the source folder it was found in


def discover_files(paths: Sequence[str | Path], exclude: list[str]) -> Iterator[SourceFile]:
    """Yield the files under `paths` in a stable order; a path that does not exist is an InputError."""
    excluded = exclusion(tuple(exclude))
    for raw in paths:
        root = Path(raw)
        if root.is_file():
            yield SourceFile(root, root.name)
        elif root.is_dir():
            found = []
            for folder, dirnames, filenames in os.walk(root, followlinks=False):
                dirnames.sort()
                # A file's path relative to the root is its folder's plus its name: pathlib parses once per folder.
                base = Path(folder)
                inside = "".join(f"{part}/" for part in base.relative_to(root).parts)
                for filename in filenames:
                    relative = inside + filename
                    if not excluded(relative):
                        found.append(SourceFile(base / filename, f"{root.name}/{relative}"))
            yield from sorted(found, key=lambda source: source.name)
        else:
            raise InputError(f"{root}: no such file or folder; pass existing files or folders as SOURCES")


def is_excluded(relative: PurePosixPath, patterns: list[str]) -> bool:
    """Whether a glob pattern names the path: matched whole (fnmatch) or from the right (PurePath.match)."""
    return exclusion(tuple(patterns))(relative.as_posix())


@functools.cache
def exclusion(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """`is_excluded` for these patterns as one function of a relative POSIX path, compiled once: fnmatch looks
    its regex up again for every file and PurePath.match parses its pattern, which at 100,000 files was half
    of finding them (bench/RESULTS.md, issue 18).

    All whole-path patterns become one regex. The right-anchored ones become one regex per depth k, matched
    against the path's last k parts joined by "/": the k-1 separators are literal in the regex and in the
    text, so each part's regex meets exactly one part, as PurePath.match compares them."""
    compiled = compiled_exclusion(patterns)
    if compiled is not None:
        return compiled
    checks = [(whole_match(pattern), right_match(pattern)) for pattern in patterns]

    def excluded(relative: str) -> bool:
        parts = relative.split("/")
        return any(whole(relative) or right(parts) for whole, right in checks)

    return excluded


def compiled_exclusion(patterns: tuple[str, ...]) -> Callable[[str], bool] | None:
    """The combined regexes of `exclusion`, or None when a pattern needs the per-pattern path (an empty one,
    which must fail as PurePath.match fails, or a translation whose form this does not know)."""
    if not patterns:
        return lambda relative: False
    by_depth: dict[int, list[str]] = {}
    for pattern in patterns:
        pattern_path = PurePosixPath(pattern)
        if not pattern_path.parts:
            return None
        if pattern_path.root:
            continue  # an anchored pattern never names a relative path
        parts = [fnmatch.translate(part) for part in pattern_path.parts]
        if not all(part.endswith(r"\Z") for part in parts):
            return None
        by_depth.setdefault(len(parts), []).append("/".join(f"(?:{part[:-2]})" for part in parts))
    whole = re.compile("|".join(f"(?:{fnmatch.translate(pattern)})" for pattern in patterns)).match
    tails = [(depth, re.compile(rf"(?:{'|'.join(alternatives)})\Z").match) for depth, alternatives in by_depth.items()]

    def excluded(relative: str) -> bool:
        if whole(relative) is not None:
            return True
        parts = relative.split("/")
        return any(depth <= len(parts) and match("/".join(parts[-depth:])) is not None for depth, match in tails)

    return excluded


def whole_match(pattern: str) -> Callable[[str], bool]:
    match = re.compile(fnmatch.translate(pattern)).match
    return lambda text: match(text) is not None


def right_match(pattern: str) -> Callable[[list[str]], bool]:
    """PurePosixPath(relative).match(pattern) (Python 3.11): an anchored pattern never names a relative
    path; otherwise each part of the pattern matches the path's part at the same place from the right."""
    pattern_path = PurePosixPath(pattern)
    if not pattern_path.parts:
        return lambda parts: PurePosixPath(*parts).match(pattern)  # raises "empty pattern", as it always has
    if pattern_path.root:
        return lambda parts: False
    matchers = [re.compile(fnmatch.translate(part)).match for part in reversed(pattern_path.parts)]
    return lambda parts: (
        len(matchers) <= len(parts)
        and all(match(part) is not None for match, part in zip(matchers, reversed(parts), strict=False))
    )


BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

Problem = tuple[str, str]  # (reason code, detail for people)


def read_bytes(path: Path, max_bytes: int) -> tuple[bytes, None] | tuple[None, Problem]:
    """The file's bytes, or why not. Through the os module (io.read_blocks, as io.stat_and_digest reads): pathlib's
    stat and read_bytes cost more than the read itself for a small file."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):  # reading a FIFO or a device would block or never end
            return None, ("not_a_file", "a named pipe, socket or device, not a regular file")
        size = info.st_size
        if size > max_bytes:
            return None, ("too_large", f"{size} bytes exceeds ingest.max_file_mb")
        return b"".join(read_blocks(path, size + 1)), None  # all of it, should the file have grown since
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
