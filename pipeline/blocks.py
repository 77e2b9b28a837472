"""A section body -> blocks (paragraph, list, table, code, quote, qa, definitions, dialogue) with offsets.

Blocks are runs of lines separated by blank lines (a fenced code block may contain blank lines); each
is classified by the shape of its lines. Offsets are relative to the body, so body_start + offset is
the position in the document text. Extractors work on blocks, so a table is never explained as prose
and a glossary line is never mistaken for a sentence.
"""

import re
from typing import NamedTuple

LIST_ITEM = re.compile(r"^\s{0,3}([-*+•]|\d{1,3}[.)])\s+\S")
TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
FENCE = re.compile(r"^\s{0,3}(```|~~~)")
QA_LINE = re.compile(r"^(Q|A|Question|Answer)\s*:\s*\S", re.I)
ANSWER_LINE = re.compile(r"^(A|Answer)\s*:", re.I)
BOLD_TERM = re.compile(r"^\*\*(?P<term>[^*\n]{1,80}?)\*\*\s*[:—–-]\s+(?P<definition>\S.*)$")
PLAIN_TERM = re.compile(r"^(?P<term>[A-Z0-9][\w\s\-/().&+'’]{0,60}?)\s*:\s+(?P<definition>\S.*)$")
DELIMITER_ROW = re.compile(r"\s*\|?[\s:|-]+\|?\s*")
SPEAKER = re.compile(r"^(?P<speaker>[A-Z][\w .'-]{0,30}?)\s*:\s+(?P<said>\S.*)$")


class Block(NamedTuple):  # a tuple, not a frozen dataclass: made for every block of every section, and cheaper
    kind: str  # paragraph | list | table | code | quote | qa | definitions | dialogue
    start: int  # offsets in the section body
    end: int
    text: str


def split_blocks(body: str) -> list[Block]:
    blocks, lines, offset = [], body.split("\n"), 0
    chunk: list[str] = []
    chunk_start, in_fence = 0, False
    for line in lines:
        if not chunk:
            chunk_start = offset
        if FENCE.match(line):
            in_fence = not in_fence
        if line.strip() or in_fence:
            chunk.append(line)
        elif chunk:
            blocks.append(make_block(body, chunk_start, chunk))
            chunk = []
        offset += len(line) + 1
    if chunk:
        blocks.append(make_block(body, chunk_start, chunk))
    return blocks


def make_block(body: str, start: int, lines: list[str]) -> Block:
    end = start + len("\n".join(lines))
    return Block(classify(lines), start, end, body[start:end])


def classify(lines: list[str]) -> str:
    first = lines[0]
    if FENCE.match(first):
        return "code"
    if len(lines) >= 2 and all(TABLE_ROW.match(line) for line in lines):
        return "table"
    if LIST_ITEM.match(first):
        return "list"
    if all(line.lstrip().startswith(">") for line in lines):
        return "quote"
    if QA_LINE.match(first) and any(ANSWER_LINE.match(line) for line in lines):
        return "qa"
    if all(BOLD_TERM.match(line) for line in lines):
        return "definitions"
    if ":" in first and SPEAKER.match(first):  # SPEAKER and PLAIN_TERM need a colon: prose lines mostly have none
        said = [match.group("speaker") for line in lines if ":" in line and (match := SPEAKER.match(line))]
        if len(said) >= 3 and 2 <= len(set(said)) <= 4 and len(set(said)) < len(said):
            return "dialogue"  # two to four speakers, at least one speaking twice
    if all(":" in line and PLAIN_TERM.match(line) for line in lines):
        return "definitions"
    return "paragraph"


def table_cells(block: Block) -> tuple[list[str], list[list[tuple[str, int, int]]]]:
    """(header, rows of (cell text, start, end) with offsets in the body); separator rows skipped."""
    lines = block.text.split("\n")
    header = [cell.strip() for cell in lines[0].strip().strip("|").split("|")]
    rows, offset = [], block.start + len(lines[0]) + 1
    for line in lines[1:]:
        if not DELIMITER_ROW.fullmatch(line):
            rows.append(cells_with_offsets(line, offset))
        offset += len(line) + 1
    return header, rows


def cells_with_offsets(line: str, offset: int) -> list[tuple[str, int, int]]:
    cells, position = [], line.index("|") + 1 if "|" in line else 0
    for raw in line[position:].rstrip().removesuffix("|").split("|"):
        lead = len(raw) - len(raw.lstrip())
        text = raw.strip()
        cells.append((text, offset + position + lead, offset + position + lead + len(text)))
        position += len(raw) + 1
    return cells
