"""Plain text and Markdown files -> one normalised document each."""

import re
import unicodedata

from pipeline.records import stable_id

ATX_TITLE = re.compile(r"^\s{0,3}#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def normalize_text(text: str) -> str:
    """NFC, Unix newlines, no trailing spaces: offsets computed later point into exactly this text."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def guess_title(text: str, fallback: str) -> str:
    """The first level-1 heading, else the first non-empty line (cut to 120 characters), else the file name."""
    match = ATX_TITLE.search(text)
    if match:
        return match.group(1)
    for line in text.split("\n"):
        if line.strip():
            return line.strip()[:120]
    return fallback


def document_from_text(source: str, fmt: str, text: str, title: str | None = None) -> dict | None:
    """A DOCUMENT row, or None when nothing but whitespace is left."""
    text = normalize_text(text)
    if not text.strip():
        return None
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return {
        "doc_id": stable_id("document", source),
        "source": source,
        "format": fmt,
        "title": title or guess_title(text, stem),
        "text": text,
    }
