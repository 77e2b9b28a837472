"""Sources -> DOCUMENT rows, imported EXAMPLE rows, and rejects: every input file ends somewhere.

Readers are chosen by file suffix and all produce Markdown-shaped, normalised text, so one section
parser serves every format. Record files (JSONL, JSON, CSV, Parquet) hold either documents (a text
column) or an existing dataset (recognised per file and imported as examples). A file that cannot be
used is a rejected row with a reason (unreadable, empty, encoding, binary, too_large,
unsupported_type, ...), never an exception and never silently skipped; only paths matched by
`ingest.exclude` are not inputs at all.
"""

import logging
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import polars as pl

from pipeline.config import IngestConfig, PreferenceConfig
from pipeline.ingest.docx import docx_to_markdown
from pipeline.ingest.files import Problem, SourceFile, decode_text, discover_files, read_bytes
from pipeline.ingest.html import decode_html, html_to_markdown
from pipeline.ingest.imported import PREFERENCE_FORMATS, detect_format, import_record
from pipeline.ingest.imported_preference import import_preference, preferred_as_sft
from pipeline.ingest.llama_factory import Mapping, read_dataset_info
from pipeline.ingest.markdown import markdown_to_text
from pipeline.ingest.pdf import pdf_to_markdown
from pipeline.ingest.plain_text import plain_text_to_markdown, unwrap_lines
from pipeline.ingest.tabular import frame_records, json_records, jsonl_records
from pipeline.ingest.text import document_from_text
from pipeline.records import DOCUMENT, EXAMPLE, REJECTED, rejected_document, stable_id

log = logging.getLogger(__name__)

KINDS = {
    ".md": "md", ".markdown": "md", ".txt": "txt", ".text": "txt",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".pdf": "pdf", ".docx": "docx",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".parquet": "parquet",
}  # fmt: skip
RECORD_KINDS = {"jsonl", "json", "csv", "parquet"}


class Ingested(NamedTuple):
    documents: pl.DataFrame  # DOCUMENT
    examples: pl.DataFrame  # EXAMPLE rows imported from existing datasets
    rejected: pl.DataFrame  # REJECTED: documents (kind "document") and imported records (the run's kind)


class Loaded(NamedTuple):
    documents: list[dict]
    examples: list[dict]
    rejected: list[dict]


class Importing(NamedTuple):
    """What a dataset record is imported as: the run's kind decides which formats are examples."""

    kind: str = "sft"
    preference: PreferenceConfig = PreferenceConfig()


SFT = Importing()


def absolute(path: Path) -> Path:
    """An absolute, normalised path without following symlinks (a symlink loop must not raise here)."""
    return Path(os.path.abspath(path))


def read_sources(paths: Sequence[str | Path], cfg: IngestConfig, importing: Importing = SFT) -> Ingested:
    mappings, rejected = find_mappings(paths)
    return read_files(input_files(paths, cfg), cfg, mappings, importing, rejected)


def find_mappings(paths: Sequence[str | Path]) -> tuple[dict[Path, Mapping], list[dict]]:
    """The LLaMA-Factory mapping of each file a dataset_info.json describes, and rejects for unreadable ones."""
    mappings: dict[Path, Mapping] = {}
    rejected = []
    for raw in paths:
        for info in sorted(Path(raw).rglob("dataset_info.json")) if Path(raw).is_dir() else []:
            found, problem = read_dataset_info(info.parent)
            mappings |= {absolute(info.parent / name): mapping for name, mapping in found.items()}
            if problem:
                name = f"{Path(raw).name}/{info.relative_to(raw).as_posix()}"
                rejected.append(rejected_document(name, "unreadable", problem))
    return mappings, rejected


def input_files(paths: Sequence[str | Path], cfg: IngestConfig) -> list[SourceFile]:
    """Every input file in a stable order (dataset_info.json files describe inputs; they are not inputs)."""
    return [source for source in discover_files(paths, cfg.exclude) if not describes_inputs(source)]


def describes_inputs(source: SourceFile) -> bool:
    """A dataset_info.json found in a folder: what excluding the pattern "dataset_info.json" leaves out (a
    file passed by its own path is read as given; only found files have a folder in their name)."""
    return "/" in source.name and source.path.name == "dataset_info.json"


def read_files(
    sources: list[SourceFile],
    cfg: IngestConfig,
    mappings: dict[Path, Mapping],
    importing: Importing = SFT,
    rejected: list[dict] | None = None,
) -> Ingested:
    """Documents, imported examples and rejects of these files (a whole run, or one shard of it)."""
    documents, examples, rejected = [], [], list(rejected or [])
    for source in sources:
        mapping = mappings.get(absolute(source.path)) if mappings else None  # abspath costs as much as a read
        loaded = read_file(source, cfg, mapping, importing)
        documents += loaded.documents
        examples += loaded.examples
        rejected += loaded.rejected
    log.info("ingested %d documents and %d dataset records, rejected %d", len(documents), len(examples), len(rejected))
    return Ingested(
        pl.DataFrame(documents, schema=DOCUMENT),
        pl.DataFrame(examples, schema=EXAMPLE),
        pl.DataFrame(rejected, schema=REJECTED),
    )


def read_file(
    source: SourceFile, cfg: IngestConfig, mapping: Mapping | None = None, importing: Importing = SFT
) -> Loaded:
    kind = KINDS.get(source.path.suffix.lower())
    if kind is None:
        supported = ", ".join(sorted(KINDS))
        return Loaded(
            [],
            [],
            [
                rejected_document(
                    source.name, "unsupported_type", f"suffix '{source.path.suffix}' (supported: {supported})"
                )
            ],
        )
    data, problem = read_bytes(source.path, max_bytes=int(cfg.max_file_mb * 1024 * 1024))
    if data is None:
        return Loaded([], [], [rejected_for(source.name, problem)])
    if kind in RECORD_KINDS:
        return read_records(source.name, kind, data, cfg, mapping, importing)
    if kind in ("pdf", "docx"):
        converted = pdf_to_markdown(data) if kind == "pdf" else docx_to_markdown(data)
        if converted[0] is None:
            return Loaded([], [], [rejected_document(source.name, *converted[1])])
        return single_document(source.name, kind, *converted)
    text, problem = (
        decode_html(data, cfg.fallback_encoding) if kind == "html" else decode_text(data, cfg.fallback_encoding)
    )
    if text is None:
        return Loaded([], [], [rejected_for(source.name, problem)])
    if kind == "html":
        text, title = html_to_markdown(text)
        return single_document(source.name, kind, text, title, empty_detail="no main content found in the page")
    if kind == "md":
        text, title, _ = markdown_to_text(text)
        return single_document(source.name, kind, text, title, empty_detail="the page has no text")
    if kind == "txt":
        text = plain_text_to_markdown(unwrap_lines(text))
    return single_document(source.name, kind, text, None)


def single_document(
    name: str, kind: str, text: str, title: str | None, empty_detail: str = "the file has no text"
) -> Loaded:
    document = document_from_text(
        name, kind, text, title if kind != "html" or not text.lstrip().startswith("# ") else None
    )
    if document is None:
        return Loaded([], [], [rejected_document(name, "empty", empty_detail)])
    return Loaded([document], [], [])


def read_records(
    name: str, kind: str, data: bytes, cfg: IngestConfig, mapping: Mapping | None, importing: Importing
) -> Loaded:
    """Rows of a record file: an imported dataset when recognised, else documents from `text_field`."""
    if kind == "parquet":
        records, problems = frame_records(name, data, kind)
    else:
        text, problem = decode_text(data, cfg.fallback_encoding)
        if text is None:
            return Loaded([], [], [rejected_for(name, problem)])
        if kind == "csv":
            records, problems = frame_records(name, text.encode("utf-8"), kind)
        else:
            records, problems = (jsonl_records if kind == "jsonl" else json_records)(name, text)
    if mapping is not None:
        records = [(record_name, mapping.apply(record)) for record_name, record in records]
    detected = Counter(detect_format(record) for _, record in records if isinstance(record, dict))
    detected.pop(None, None)
    if cfg.records == "auto" and (mapping is not None or detected):
        # One format per file: the most common one, so a row missing a key is invalid, not another format.
        fmt = mapping.fmt if mapping else detected.most_common(1)[0][0]
        return import_dataset(name, records, problems, fmt, importing)
    loaded = Loaded([], [], [rejected_document(record_name, *problem) for record_name, problem in problems])
    for record_name, record in records:
        document, problem = record_document(record_name, record, cfg)
        if document:
            loaded.documents.append(document)
        else:
            loaded.rejected.append(rejected_for(record_name, problem))
    if not records and not problems:
        loaded.rejected.append(rejected_document(name, "empty", "the file has no records"))
    return loaded


def rejected_for(name: str, problem: Problem | None) -> dict:
    """The rejected row of a file or record a reader gave no result for, which it returns with its problem."""
    if problem is None:
        raise ValueError(f"{name}: a reader returned neither a result nor a problem")
    return rejected_document(name, *problem)


def record_document(name: str, record: object, cfg: IngestConfig) -> tuple[dict | None, tuple[str, str] | None]:
    if not isinstance(record, dict):
        return None, ("not_an_object", f"a JSON {type(record).__name__}, expected an object")
    text = record.get(cfg.text_field)
    if cfg.text_field not in record:
        return None, ("missing_field", f"field '{cfg.text_field}' is missing (set ingest.text_field)")
    if not isinstance(text, str):
        return None, ("wrong_type", f"field '{cfg.text_field}' is a {type(text).__name__}, expected a string")
    title = record.get(cfg.title_field)
    document = document_from_text(name, "record", text, title if isinstance(title, str) else None)
    return (document, None) if document else (None, ("empty", f"field '{cfg.text_field}' has no text"))


def import_dataset(name: str, records: list, problems: list, fmt: str | None, importing: Importing) -> Loaded:
    """Every row becomes examples or a rejected example; the file itself is one (used) document."""
    doc_id = stable_id("document", name)
    examples, rejected = [], []
    for record_name, problem in problems:
        rejected.append(import_reject(record_name, doc_id, problem, importing.kind))
    for record_name, record in records:
        rows, problem = import_one(record, fmt, record_name, doc_id, importing)
        examples += rows
        if problem is not None:
            rejected.append(import_reject(record_name, doc_id, problem, importing.kind))
    document = {"doc_id": doc_id, "source": name, "format": "dataset", "title": name.rsplit("/", 1)[-1], "text": ""}
    return Loaded([document], examples, rejected)


def import_one(
    record: object, fmt: str | None, name: str, doc_id: str, importing: Importing
) -> tuple[list[dict], tuple[str, str] | None]:
    """A record as examples of the run's kind; data of the other kind is rejected with the command to use."""
    fmt = fmt or (detect_format(record) if isinstance(record, dict) else None)
    if fmt in PREFERENCE_FORMATS:
        if not isinstance(record, dict):  # a line of a preference file that is a list, string or number
            return [], ("not_an_object", f"a JSON {type(record).__name__}, expected an object")
        rows, problem = import_preference(record, fmt, name, doc_id, importing.preference)
        return (
            (rows, problem)
            if importing.kind == "preference"
            else preferred_as_sft(rows, problem, record, fmt, name, doc_id)
        )
    if importing.kind == "preference" and fmt is not None:
        return [], ("sft_record", f"a {fmt} record holds no preference pair: prepare it with --kind sft")
    example, problem = import_record(record, fmt, name, doc_id)
    return ([example] if example else []), problem


def import_reject(record_name: str, doc_id: str, problem: tuple[str, str], kind: str) -> dict:
    return {
        "id": stable_id("import", record_name),
        "kind": kind,
        "task": "imported",
        "doc_id": doc_id,
        "source": record_name,
        "reject_stage": None,  # the executor names the stage (pipeline/stages.py)
        "reject_reason": problem[0],
        "reject_detail": problem[1],
    }
