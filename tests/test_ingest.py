import json

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import IngestConfig
from pipeline.errors import InputError
from pipeline.ingest import read_sources
from pipeline.ingest.files import SourceFile
from pipeline.ingest.text import normalize_text
from tests.conftest import write_files

CFG = IngestConfig()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", "", "empty"),
        ("blank.md", " \n\t\n", "empty"),
        ("latin1.txt", "K\u00fchlmittel".encode("latin-1"), "encoding"),
        ("image.png", b"\x89PNG\r\n", "unsupported_type"),
        ("binary.txt", b"abc\x00def", "binary"),
        ("none.jsonl", "\n\n", "empty"),
    ],
)
def test_unusable_file_is_a_rejected_document(tmp_path, name, content, reason):
    write_files(tmp_path, {name: content})
    documents, rejected = read_sources([tmp_path], CFG)
    assert documents.height == 0
    assert rejected.select("kind", "reject_stage", "reject_reason").row(0) == ("document", "ingest", reason)
    assert rejected["source"][0] == f"{tmp_path.name}/{name}"


def test_encoding_error_names_line_and_byte(tmp_path):
    write_files(tmp_path, {"a.txt": b"fine\nstill fine\nK\xfchl\n"})
    _, rejected = read_sources([tmp_path], CFG)
    assert rejected["reject_detail"][0].startswith("line 3: byte 0xFC")


def test_markdown_and_text_become_documents(tmp_path):
    write_files(
        tmp_path, {"b.md": "# Title B\r\n\r\nBody\r\n", "a.txt": "\ufeffFirst line\nmore\n", ".hidden.md": "# x"}
    )
    documents, rejected = read_sources([tmp_path], CFG)
    assert rejected.height == 0
    assert documents.select("source", "format", "title", "text").rows() == [
        (f"{tmp_path.name}/a.txt", "txt", "First line", "First line\nmore"),
        (f"{tmp_path.name}/b.md", "md", "Title B", "# Title B\n\nBody"),
    ]


def test_jsonl_lines_become_documents_and_bad_lines_rejects(tmp_path):
    lines = [
        json.dumps({"id": 1, "title": "One", "text": "# One\n\nText one."}),
        "",
        "{not json",
        json.dumps(["a list"]),
        json.dumps({"title": "no text"}),
        json.dumps({"text": 42}),
        json.dumps({"text": "   "}),
    ]
    write_files(tmp_path, {"kb.jsonl": "\n".join(lines) + "\n"})
    documents, rejected = read_sources([tmp_path], CFG)
    assert documents.select("source", "title").rows() == [(f"{tmp_path.name}/kb.jsonl:1", "One")]
    assert rejected.select("source", "reject_reason").rows() == [
        (f"{tmp_path.name}/kb.jsonl:3", "invalid_json"),
        (f"{tmp_path.name}/kb.jsonl:4", "not_an_object"),
        (f"{tmp_path.name}/kb.jsonl:5", "missing_field"),
        (f"{tmp_path.name}/kb.jsonl:6", "wrong_type"),
        (f"{tmp_path.name}/kb.jsonl:7", "empty"),
    ]


def test_too_large_file(tmp_path):
    write_files(tmp_path, {"big.txt": "x" * 2048})
    _, rejected = read_sources([tmp_path], IngestConfig(max_file_mb=0.001))
    assert rejected["reject_reason"].to_list() == ["too_large"]


def test_missing_source_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        read_sources([tmp_path / "nope"], CFG)


def test_exclude_patterns(tmp_path):
    write_files(tmp_path, {"keep.md": "# k\n\nbody", "eval/q.jsonl": "{}", "ftprep.toml": "x = 1"})
    documents, rejected = read_sources([tmp_path], IngestConfig(exclude=["eval/**", "ftprep.toml"]))
    assert documents["source"].to_list() == [f"{tmp_path.name}/keep.md"] and rejected.height == 0


def test_normalize_text_is_nfc_and_unix():
    assert normalize_text("Cafe\u0301 \r\nline  \r\n\n") == "Caf\u00e9\nline"


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".txt", ".md", ".jsonl", ".bin"]))
def test_any_bytes_become_a_document_or_a_reject(tmp_path_factory, data, suffix):
    from pipeline.ingest import read_file

    path = tmp_path_factory.mktemp("fuzz") / f"f{suffix}"
    path.write_bytes(data)
    documents, rejected = read_file(SourceFile(path, path.name), CFG)
    assert len(documents) + len(rejected) >= 1
    assert all(r["reject_reason"] for r in rejected)
    pl.DataFrame(rejected)  # rows are well-formed
