"""Sources -> DOCUMENT frame: every input file ends as documents or as rejected documents with a reason.

Readers are chosen by file suffix. A file that cannot become a document (unreadable, empty, not UTF-8,
too large, an unsupported type, a bad JSONL line) is a rejected row, never an exception and never
silently skipped; only paths matched by `ingest.exclude` are not inputs at all.
"""

import logging
from pathlib import Path

import polars as pl

from pipeline.config import IngestConfig
from pipeline.ingest.files import SourceFile, discover_files, read_text
from pipeline.ingest.jsonl import documents_from_jsonl
from pipeline.ingest.text import document_from_text
from pipeline.records import DOCUMENT, REJECTED, Split, rejected_document

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".md": "md", ".markdown": "md", ".txt": "txt", ".text": "txt"}
RECORD_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl"}
SUPPORTED = sorted({*TEXT_SUFFIXES, *RECORD_SUFFIXES})


def read_sources(paths: list[str | Path], cfg: IngestConfig) -> Split:
    """Read every file under `paths`; returns DOCUMENT rows kept and REJECTED rows (kind "document")."""
    documents: list[dict] = []
    rejected: list[dict] = []
    for source in discover_files(paths, cfg.exclude):
        docs, rejects = read_file(source, cfg)
        documents += docs
        rejected += rejects
    log.info("ingested %d documents, rejected %d", len(documents), len(rejected))
    return Split(pl.DataFrame(documents, schema=DOCUMENT), pl.DataFrame(rejected, schema=REJECTED))


def read_file(source: SourceFile, cfg: IngestConfig) -> tuple[list[dict], list[dict]]:
    suffix = source.path.suffix.lower()
    kind = TEXT_SUFFIXES.get(suffix) or RECORD_SUFFIXES.get(suffix)
    if kind is None:
        return [], [
            rejected_document(source.name, "unsupported_type", f"suffix '{suffix}' (supported: {', '.join(SUPPORTED)})")
        ]
    text, problem = read_text(source.path, max_bytes=int(cfg.max_file_mb * 1024 * 1024))
    if problem is not None:
        return [], [rejected_document(source.name, *problem)]
    if kind == "jsonl":
        return documents_from_jsonl(source.name, text, cfg)
    document = document_from_text(source.name, kind, text)
    if document is None:
        return [], [rejected_document(source.name, "empty", "the file has no text")]
    return [document], []
