"""JSONL files whose lines are documents (a knowledge-base export, a crawl): one document per line."""

import json

from pipeline.config import IngestConfig
from pipeline.ingest.text import document_from_text
from pipeline.records import rejected_document


def documents_from_jsonl(source: str, text: str, cfg: IngestConfig) -> tuple[list[dict], list[dict]]:
    """Each non-blank line becomes a document named `source:LINE`, or a rejected document naming the field."""
    documents, rejected = [], []
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        name = f"{source}:{number}"
        record, problem = parse_record(line, cfg)
        if problem is not None:
            rejected.append(rejected_document(name, *problem))
            continue
        title = record.get(cfg.title_field)
        document = document_from_text(name, "jsonl", record[cfg.text_field], title if isinstance(title, str) else None)
        if document is None:
            rejected.append(rejected_document(name, "empty", f"field '{cfg.text_field}' has no text"))
        else:
            documents.append(document)
    if not documents and not rejected:
        rejected.append(rejected_document(source, "empty", "the file has no records"))
    return documents, rejected


def parse_record(line: str, cfg: IngestConfig) -> tuple[dict, None] | tuple[None, tuple[str, str]]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        return None, ("invalid_json", f"column {error.colno}: {error.msg}")
    except RecursionError:
        return None, ("invalid_json", "nesting too deep")
    if not isinstance(record, dict):
        return None, ("not_an_object", f"a JSON {type(record).__name__}, expected an object")
    if cfg.text_field not in record:
        return None, ("missing_field", f"field '{cfg.text_field}' is missing (set ingest.text_field)")
    if not isinstance(record[cfg.text_field], str):
        return None, (
            "wrong_type",
            f"field '{cfg.text_field}' is a {type(record[cfg.text_field]).__name__}, expected a string",
        )
    return record, None
