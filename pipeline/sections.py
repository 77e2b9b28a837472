"""Documents -> SECTION frame: the heading tree of each document, with character offsets.

Markdown ATX (`## Heading`) and setext (a line underlined with `===` or `---`) headings both open a
section; fenced code blocks are not searched for headings. A section's body runs from its heading to
the next heading of any level, so sections never overlap and every character of a document belongs to
at most one body. Offsets point into DOCUMENT.text, which is what grounding checks compare against.
"""

import re
from collections.abc import Iterator

import polars as pl

from pipeline.records import SECTION

ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
SETEXT = re.compile(r"^ {0,3}(=+|-{3,})[ \t]*$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
NOT_A_SETEXT_TITLE = re.compile(r"^\s*([-*+>|#]|\d+[.)]\s)")


def split_sections(documents: pl.DataFrame) -> pl.DataFrame:
    """One row per non-empty section body, in document order."""
    rows = [
        {"doc_id": doc_id, "source": source, "title": title, **section}
        for doc_id, source, title, text in documents.select("doc_id", "source", "title", "text").iter_rows()
        for section in parse_sections(text)
    ]
    return pl.DataFrame(rows, schema=SECTION)


def find_headings(text: str) -> Iterator[tuple[int, int, int, str]]:
    """Yield (line_start, line_end, level, heading text); line_end includes a setext underline.

    Each pattern is tried only on a line whose first four characters hold its marker (a backtick or tilde, a
    hash, an equals sign or hyphen on the line below): every pattern needs its marker there, and most lines match
    none (tests/test_sections.py compares with every pattern on every line)."""
    lines = text.split("\n")
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    in_fence: str | None = None
    last = len(lines) - 1
    for index, line in enumerate(lines):
        lead = line[:4]
        fence = FENCE.match(line) if "`" in lead or "~" in lead else None
        if fence:
            marker = fence.group(1)[0] * 3
            in_fence = None if in_fence == marker else (in_fence or marker)
            continue
        if in_fence:
            continue
        atx = ATX.match(line) if "#" in lead else None
        if atx:
            yield starts[index], starts[index] + len(line), len(atx.group(1)), atx.group(2).strip()
            continue
        below = lines[index + 1][:4] if index < last else ""
        if ("=" in below or "-" in below) and line.strip() and not NOT_A_SETEXT_TITLE.match(line):
            underline = SETEXT.match(lines[index + 1])
            if underline:
                level = 1 if underline.group(1).startswith("=") else 2
                yield starts[index], starts[index + 1] + len(lines[index + 1]), level, line.strip()


def parse_sections(text: str) -> Iterator[dict]:
    """Sections of one document; the text before the first heading is a section with an empty heading."""
    path: list[tuple[int, str]] = []
    previous_end, heading, level = 0, "", 0
    for start, end, next_level, next_heading in find_headings(text):
        yield from body_section(text, previous_end, start, heading, level, path)
        path = [(lvl, name) for lvl, name in path if lvl < next_level] + [(next_level, next_heading)]
        previous_end, heading, level = end, next_heading, next_level
    yield from body_section(text, previous_end, len(text), heading, level, path)


def body_section(
    text: str, start: int, end: int, heading: str, level: int, path: list[tuple[int, str]]
) -> Iterator[dict]:
    body = text[start:end]
    stripped = body.strip()
    if not stripped:
        return
    body_start = start + (len(body) - len(body.lstrip()))
    yield {
        "section": " > ".join(name for _, name in path),
        "heading": heading,
        "level": level,
        "body": stripped,
        "body_start": body_start,
        "body_end": body_start + len(stripped),
    }
