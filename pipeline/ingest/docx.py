"""Word documents -> Markdown-shaped text: heading styles, list styles and tables in document order."""

import io
import zipfile

from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph

from pipeline.ingest.files import Problem


def docx_to_markdown(data: bytes) -> tuple[str, str | None] | tuple[None, Problem]:
    try:
        document = Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        return None, ("unreadable", f"not a readable DOCX file: {error}")
    has_title = any(p.style is not None and p.style.name == "Title" for p in document.paragraphs)
    blocks = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            line = paragraph_line(item, has_title)
            if line:
                blocks.append(line)
        elif isinstance(item, Table):
            blocks.append(table_markdown(item))
    title = document.core_properties.title or None
    return join_blocks(blocks), title


def paragraph_line(paragraph: Paragraph, has_title: bool) -> str:
    text = " ".join(paragraph.text.split())
    if not text:
        return ""
    style = paragraph.style.name if paragraph.style is not None else ""
    if style == "Title":
        return f"# {text}"
    if style.startswith("Heading ") and style[8:].isdigit():
        return f"{'#' * min(int(style[8:]) + (1 if has_title else 0), 6)} {text}"
    if style.startswith("List Number"):
        return f"1. {text}"
    if style.startswith(("List Bullet", "List Paragraph", "List")):
        return f"- {text}"
    return text


def table_markdown(table: Table) -> str:
    rows = [[" ".join(cell.text.split()).replace("|", "\\\\|") for cell in row.cells] for row in table.rows]
    if not rows:
        return ""
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


def join_blocks(blocks: list[str]) -> str:
    """Blank lines between blocks, but consecutive list items stay one list."""
    text = ""
    for block in blocks:
        is_item = block.startswith(("- ", "1. "))
        previous_item = text.rsplit("\n", 1)[-1].startswith(("- ", "1. ")) if text else False
        text += ("\n" if is_item and previous_item else "\n\n" if text else "") + block
    return text
