"""PDF files -> text with Markdown headings (from the outline and from type size and weight), paragraphs reflowed.

pypdf returns each visual line as a line and, through `visitor_text`, the font and size of every text run,
so each line knows its type size, whether it is bold and its height on the page. Then:

- Running headers and footers go: a line whose text (digits masked, so "Page 3 of 9" repeats), height on
  the page and size recur on at least half of the pages with text (and on two or more) is not content.
- Outline: where the document has bookmarks, a line equal to a bookmark title becomes a heading of the
  bookmark's depth.
- Type: the body size is the most common size by characters. A line set at least `LARGER` times the
  body size, or wholly bold at the body size, is a heading when it reads like one (at most
  `HEADING_WORDS` words, letters in it, no final . , ; or :, not a bullet item or a `Q:`/`A:` line).
  Heading sizes rank into levels, largest first, at most `MAX_LEVELS`; bold at the body size is the
  lowest. A bookmark's depth fixes the level of its size, so type headings fill in a partial outline.
- Questions: a body-size line ending in "?" that starts a block (after a heading, a finished sentence
  and, where positions are known, extra space or bold type) and is followed by its answer becomes a
  heading one level under the heading above it, so the FAQ extractor pairs it with its answer.

Paragraphs are rebuilt by joining lines that do not end a sentence, and words hyphenated across lines
are rejoined; headings, list items and Q/A lines stay blocks of their own.
"""

import io
import logging
import math
import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from statistics import median

from pipeline.ingest.files import Problem

log = logging.getLogger(__name__)
ENDS_BLOCK = re.compile(r"[.!?:;)\]\"”]$")
ITEM = re.compile(r"^([-*•·▪]|\d{1,3}[.)])\s")
BULLET = re.compile(r"^[-*•·▪–—]\s")
QUESTION = re.compile(r"^(Q|Question)\s*:", re.I)
ANSWER = re.compile(r"^(A|Answer)\s*:", re.I)
STARTS_BLOCK = re.compile(r"^[A-Z][A-Za-z]{0,12}:\s")
# Arial-BoldMT, Roboto-Black, OpenSans-Semibold, Avenir-Heavy, FuturaBT-Bd, TeX's CMBX10 (bold extended)
BOLD_FONT = re.compile(r"bold|black|heavy|demi|[-,+]bd\b|cmbx", re.I)
DIGITS = re.compile(r"\d+")
LETTERS = re.compile(r"[^\W\d_]{2}")

LARGER = 1.15  # a heading size is at least this many times the body size (11 pt body -> 12.65 pt)
HEADING_WORDS = 12
QUESTION_WORDS = 20
MAX_LEVELS = 4
BOLD_SHARE = 0.9  # a line is bold when this share of its characters is
RUNNING_SHARE = 0.5  # a header or footer recurs on at least this share of the pages


@dataclass(slots=True)
class Line:
    text: str
    size: float = 0.0  # type size of most of its characters, 0 when unknown
    bold: bool = False
    y: float | None = None  # baseline height on the page, None when unknown
    page: int = 0
    level: int = 0  # heading level, 0 for text
    kind: str = ""  # what made it a heading: outline, type or question; "prose" for large text that is not one


def pdf_to_markdown(data: bytes) -> tuple[str, str | None] | tuple[None, Problem]:
    """(text, title) or (None, (reason, detail)) for a PDF that cannot be read."""
    from pypdf import PdfReader  # here: every shard worker imports this module, few runs read a PDF
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return None, ("encrypted", "the PDF is encrypted; export an unprotected copy")
        bold_fonts: dict[str, bool] = {}
        pages = [page_lines(page, number, bold_fonts) for number, page in enumerate(reader.pages)]
        outline = flatten_outline(reader.outline)
        title = (reader.metadata.title if reader.metadata else None) or None
    except (PdfReadError, ValueError, TypeError, KeyError, OSError, RecursionError) as error:
        return None, ("unreadable", f"not a readable PDF: {error}")
    return reflow(render(find_headings(drop_running_lines(pages), outline))), title


def page_lines(page, number: int, bold_fonts: dict[str, bool]) -> list[Line]:
    """The page's lines as pypdf extracts them, each with its type size, weight and height."""
    runs: list[tuple] = []
    text = page.extract_text(visitor_text=lambda *run: runs.append(run)) or ""
    if "".join(run[0] for run in runs) != text:  # never seen; then lines without type information
        log.debug("page %d: text runs do not add up to the page text; no type information", number + 1)
        return [Line(line.strip(), page=number) for line in text.split("\n")]
    return lines_from_runs(runs, number, bold_fonts)


def lines_from_runs(runs: list[tuple], number: int, bold_fonts: dict[str, bool]) -> list[Line]:
    """pypdf's (text, cm, tm, font, size) runs -> lines; a line's size and weight are those of most characters."""
    lines: list[Line] = []
    parts: list[str] = []
    sizes: Counter[float] = Counter()
    bold = total = 0
    y: float | None = None

    def finish() -> None:
        text = "".join(parts).strip()
        size = sizes.most_common(1)[0][0] if sizes else 0.0
        lines.append(Line(text, size, bool(total) and bold >= BOLD_SHARE * total, y, number))

    for text, cm, tm, font, font_size in runs:
        for index, piece in enumerate(text.split("\n")):
            if index:
                finish()
                parts, sizes, bold, total, y = [], Counter(), 0, 0, None
            parts.append(piece)
            visible = len(piece) - sum(char.isspace() for char in piece)
            if not visible:
                continue
            size, height = placement(cm, tm, font_size)
            sizes[size] += visible
            total += visible
            bold += visible if is_bold(font, bold_fonts) else 0
            y = height if y is None else y
    finish()
    return lines


def placement(cm, tm, font_size) -> tuple[float, float | None]:
    """(type size on the page rounded to 0.5 pt, baseline height) of a run: the size scaled by Tm x CTM."""
    try:
        _, _, c, d, e, f = (float(value) for value in tm)
        ca, cb, cc, cd, _, cf = (float(value) for value in cm)
        size = float(font_size) * math.hypot(c * ca + d * cc, c * cb + d * cd)
        height = e * cb + f * cd + cf
    except (TypeError, ValueError):
        return 0.0, None
    if not math.isfinite(size) or not math.isfinite(height):
        return 0.0, None
    return round(abs(size) * 2) / 2, height


def is_bold(font, bold_fonts: dict[str, bool]) -> bool:
    """Bold, black, heavy or semibold by the font's name, or by its descriptor's weight (600 or more)."""
    try:
        name = str(font.get("/BaseFont", "")) if font else ""
    except AttributeError:
        return False
    if not name:
        return font_weight(font) >= 600  # a Type 3 font has no name to remember it by
    if name not in bold_fonts:
        bold_fonts[name] = bool(BOLD_FONT.search(name)) or font_weight(font) >= 600
    return bold_fonts[name]


def font_weight(font) -> float:
    try:
        descriptor = font.get("/FontDescriptor")
        if descriptor is None and "/DescendantFonts" in font:
            descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
        return float(descriptor.get_object().get("/FontWeight", 0)) if descriptor is not None else 0.0
    except (AttributeError, TypeError, ValueError, KeyError, IndexError):
        return 0.0


def drop_running_lines(pages: list[list[Line]]) -> list[Line]:
    """All lines in order, less running headers and footers: a line no larger than the body text whose
    text (digits masked), height and size recur on at least half of the pages with text, and on two or more.
    Headings in large type at the top of every page (Chapter 1, Chapter 2, ...) stay."""
    with_text = [page for page in pages if any(line.text for line in page)]
    needed = max(2, math.ceil(RUNNING_SHARE * len(with_text)))
    largest = body_size([line for page in with_text for line in page]) * LARGER
    # Looked up with every line's key, None included (never counted, so such a line stays).
    counts: Counter[tuple | None] = Counter(
        key for page in with_text for key in {running_key(line, largest) for line in page} if key
    )
    return [line for page in pages for line in page if counts[running_key(line, largest)] < needed]


def running_key(line: Line, largest: float) -> tuple | None:
    if not line.text or line.y is None or (largest and line.size >= largest):
        return None
    return DIGITS.sub("#", " ".join(line.text.casefold().split())), round(line.y / 2), line.size


def flatten_outline(outline: list, depth: int = 1) -> list[tuple[int, str]]:
    """[(depth, title)] in document order; nested lists in pypdf's outline are the children."""
    flat: list[tuple[int, str]] = []
    for item in outline:
        if isinstance(item, list):
            flat += flatten_outline(item, depth + 1)
        elif getattr(item, "title", None):
            flat.append((depth, " ".join(str(item.title).split())))
    return flat


def find_headings(lines: list[Line], outline: list[tuple[int, str]]) -> list[Line]:
    """Lines with heading levels set: from the outline, then from type size and weight, then questions."""
    body = body_size(lines)
    if body:
        lines = join_wrapped_headings(lines, body)
    mark_outline(lines, outline)
    if body:
        mark_type_headings(lines, body)
    mark_questions(lines, line_pitch(lines, body))
    return lines


def body_size(lines: list[Line]) -> float:
    """The most common type size by characters, or 0 when sizes are unknown."""
    sizes: Counter[float] = Counter()
    for line in lines:
        if line.size:
            sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def heading_like(text: str, words: int = HEADING_WORDS) -> bool:
    """Short, with letters, no sentence or clause ending, not a bullet item or a Q:/A: line."""
    return (
        0 < len(text.split()) <= words
        and bool(LETTERS.search(text))
        and not text.endswith((".", ",", ";", ":"))
        and not BULLET.match(text)
        and not QUESTION.match(text)
        and not ANSWER.match(text)
        and not text.startswith("#")
    )


def type_key(line: Line, body: float) -> tuple[float, bool] | None:
    """(size, bold) of a line set as a heading would be: larger than the body, or bold at the body size."""
    if not line.text or not line.size:
        return None
    if line.size >= LARGER * body:
        return line.size, line.bold
    if line.bold and line.size * LARGER > body:
        return body, True
    return None


def join_wrapped_headings(lines: list[Line], body: float) -> list[Line]:
    """Consecutive large lines of one size and weight, a line apart: one heading wrapped over them, or prose."""
    joined: list[Line] = []
    start = 0
    while start < len(lines):
        end = start + 1
        while end < len(lines) and wraps(lines[end - 1], lines[end], body):
            end += 1
        group = lines[start:end]
        text = " ".join(line.text for line in group)
        if len(group) == 1:
            joined.append(group[0])
        elif heading_like(text, HEADING_WORDS + 4):
            group[0].text = text
            joined.append(group[0])
        else:
            for line in group:
                line.kind = "prose"  # large type running on for lines: a pull quote or a banner, not a heading
            joined += group
        start = end
    return joined


def wraps(previous: Line, line: Line, body: float) -> bool:
    return (
        bool(previous.text and line.text)
        and line.size >= LARGER * body
        and (previous.size, previous.bold, previous.page) == (line.size, line.bold, line.page)
        and previous.y is not None
        and line.y is not None
        and 0 < previous.y - line.y <= 1.6 * line.size
        and not previous.text.endswith("?")
    )


def mark_outline(lines: list[Line], outline: list[tuple[int, str]]) -> None:
    """Lines equal to bookmark titles (in document order) become headings of the bookmark's depth."""
    position = 0
    for depth, title in outline:
        wanted = title.casefold()
        for index in range(position, len(lines)):
            if " ".join(lines[index].text.split()).casefold() == wanted:
                lines[index].text, lines[index].level, lines[index].kind = title, min(depth, 6), "outline"
                position = index + 1
                break


def mark_type_headings(lines: list[Line], body: float) -> None:
    """Levels for lines whose size or weight makes them headings, ranked by size (bookmarked sizes keep depth).

    Bold at the body size counts only while most body text is not bold, and not for `Label: text` lines
    or one-word all-caps labels (NOTE, WARNING).
    """
    body_chars = sum(len(line.text) for line in lines if line.size == body)
    bold_chars = sum(len(line.text) for line in lines if line.size == body and line.bold)
    depths: dict[tuple[float, bool], Counter[int]] = {}
    candidates: list[tuple[Line, tuple[float, bool]]] = []
    for line in lines:
        key = type_key(line, body)
        if key is None:
            continue
        if line.kind == "outline":
            depths.setdefault(key, Counter())[line.level] += 1
            continue
        if line.kind or not heading_like(line.text):
            continue
        if key[0] < LARGER * body and (
            bold_chars * 2 > body_chars or STARTS_BLOCK.match(line.text) or banner(line.text)
        ):
            continue
        candidates.append((line, key))
    levels: dict[tuple[float, bool], int] = {}
    previous = 0
    for key in sorted({key for _, key in candidates} | set(depths), reverse=True):
        depth = depths[key].most_common(1)[0][0] if key in depths else 0
        levels[key] = depth or min(previous + 1, 6 if depths else MAX_LEVELS)
        previous = levels[key]
    for line, key in candidates:
        line.level, line.kind = levels[key], "type"


def banner(text: str) -> bool:
    """A one-word all-caps label such as NOTE or WARNING."""
    return len(text.split()) == 1 and text.isupper()


def line_pitch(lines: list[Line], body: float) -> float | None:
    """The usual distance between consecutive body lines of a paragraph, or None when heights are unknown."""
    steps = [
        previous.y - line.y
        for previous, line in pairwise(lines)
        if previous.y is not None
        and line.y is not None
        and previous.page == line.page
        and body
        and previous.size == line.size == body
        and 0 < previous.y - line.y < 3 * body
    ]
    return median(steps) if steps else None


def mark_questions(lines: list[Line], pitch: float | None) -> None:
    """A body-size question that starts a block and is followed by its answer -> a heading under the last one.

    It starts a block after a heading or the start, when bold, or after a finished sentence with more
    space above it than between a paragraph's lines (where heights are known; at a page's top).
    """
    parent = 0
    for index, line in enumerate(lines):
        if line.level and (line.kind != "type" or not line.text.endswith("?")):
            parent = line.level
            continue
        if not asks(line.text) or line.kind == "prose":
            continue
        previous = next((lines[back] for back in range(index - 1, -1, -1) if lines[back].text), None)
        following = next((lines[ahead] for ahead in range(index + 1, len(lines)) if lines[ahead].text), None)
        if following is None or following.level or following.text.endswith("?") or QUESTION.match(following.text):
            continue
        starts_block = previous is None or bool(previous.level) or line.bold
        if not starts_block and previous is not None and ENDS_BLOCK.search(previous.text):
            starts_block = pitch is None or previous.page != line.page or spaced(previous, line, pitch)
        if starts_block:
            line.level, line.kind = min(parent + 1, 6) if parent else 3, "question"


def asks(text: str) -> bool:
    """A short line that is a question: ends in ?, starts with a capital or a digit, not a list item."""
    return (
        text.endswith("?")
        and heading_like(text, QUESTION_WORDS)
        and (text[:1].isupper() or text[:1].isdigit())
        and not ITEM.match(text)
    )


def spaced(previous: Line, line: Line, pitch: float) -> bool:
    """More space above the line than between the lines of a paragraph (a new block)."""
    return previous.y is not None and line.y is not None and previous.y - line.y > 1.3 * pitch


def render(lines: list[Line]) -> list[str]:
    return [f"{'#' * line.level} {line.text}" if line.level else line.text for line in lines]


def reflow(lines: list[str]) -> str:
    """Join wrapped lines into paragraphs; headings, list items and Q/A pairs become blocks of their own."""
    blocks: list[str] = []
    for line in lines:
        previous = blocks[-1] if blocks else ""
        if not line:
            if previous:
                blocks.append("")
        elif line.startswith("#"):
            blocks += ["", line, ""] if previous else [line, ""]
        elif ITEM.match(line):
            blocks += [line] if not previous or ITEM.match(previous) else ["", line]
        elif QUESTION.match(line) or (ANSWER.match(line) and not QUESTION.match(previous)):
            blocks += [line] if not previous else ["", line]
        elif ANSWER.match(line) or not previous or previous.startswith("#"):
            blocks.append(line)
        elif ITEM.match(previous) and ENDS_BLOCK.search(previous) and line[:1].isupper():
            blocks += ["", line]  # a paragraph after a list
        elif ENDS_BLOCK.search(previous) and not ITEM.match(previous) and STARTS_BLOCK.match(line):
            blocks += ["", line]
        elif previous.endswith("-") and line[:1].islower():
            blocks[-1] = previous[:-1] + line
        else:
            blocks[-1] = f"{previous} {line}"
    return re.sub(r"\n{3,}", "\n\n", "\n".join(blocks)).strip("\n")
