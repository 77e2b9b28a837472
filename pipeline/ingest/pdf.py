"""PDF files -> text with Markdown headings from the outline (bookmarks), paragraphs reflowed.

pypdf returns each visual line as a line; paragraphs are rebuilt by joining lines that do not end a
sentence, and words hyphenated across lines are rejoined. Headings come from the outline where the
document has one: a line equal to a bookmark title becomes `#`-heading of the bookmark's depth.
"""

import io
import re

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from pipeline.ingest.files import Problem

ENDS_BLOCK = re.compile(r"[.!?:;)\]\"”]$")
ITEM = re.compile(r"^([-*•·▪]|\d{1,3}[.)])\s")
QUESTION = re.compile(r"^(Q|Question)\s*:", re.I)
ANSWER = re.compile(r"^(A|Answer)\s*:", re.I)
STARTS_BLOCK = re.compile(r"^[A-Z][A-Za-z]{0,12}:\s")


def pdf_to_markdown(data: bytes) -> tuple[str, str | None] | tuple[None, Problem]:
    """(text, title) or (None, (reason, detail)) for a PDF that cannot be read."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return None, ("encrypted", "the PDF is encrypted; export an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
        outline = flatten_outline(reader.outline)
        title = (reader.metadata.title if reader.metadata else None) or None
    except (PdfReadError, ValueError, TypeError, KeyError, OSError, RecursionError) as error:
        return None, ("unreadable", f"not a readable PDF: {error}")
    lines = [line.strip() for page in pages for line in page.split("\n")]
    lines = mark_headings(lines, outline)
    return reflow(lines), title


def flatten_outline(outline: list, depth: int = 1) -> list[tuple[int, str]]:
    """[(depth, title)] in document order; nested lists in pypdf's outline are the children."""
    flat: list[tuple[int, str]] = []
    for item in outline:
        if isinstance(item, list):
            flat += flatten_outline(item, depth + 1)
        elif getattr(item, "title", None):
            flat.append((depth, " ".join(str(item.title).split())))
    return flat


def mark_headings(lines: list[str], outline: list[tuple[int, str]]) -> list[str]:
    marked, position = list(lines), 0
    for depth, title in outline:
        wanted = title.casefold()
        for index in range(position, len(marked)):
            if " ".join(marked[index].split()).casefold() == wanted:
                marked[index] = f"{'#' * min(depth, 6)} {title}"
                position = index + 1
                break
    return marked


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
