import io
import json
from pathlib import Path

import polars as pl
import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.config import IngestConfig
from pipeline.errors import InputError
from pipeline.ingest import KINDS, read_file, read_sources
from pipeline.ingest.files import SourceFile
from pipeline.ingest.text import normalize_text
from tests.conftest import write_files

CFG = IngestConfig()
CHAT = {"messages": [{"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "Hello, how can I help?"}]}


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", "", "empty"),
        ("blank.md", " \n\t\n", "empty"),
        ("latin1.txt", "K\u00fchlmittel".encode("latin-1"), "encoding"),
        ("image.png", b"\x89PNG\r\n", "unsupported_type"),
        ("binary.txt", b"abc\x00def", "binary"),
        ("none.jsonl", "\n\n", "empty"),
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "unreadable"),
        ("notzip.docx", b"PK but not a zip", "unreadable"),
        ("broken.json", "{not json", "invalid_json"),
        ("page.html", "<html><body><nav>Home</nav><script>x()</script></body></html>", "empty"),
    ],
)
def test_unusable_file_is_a_rejected_document(tmp_path, name, content, reason):
    write_files(tmp_path, {name: content})
    ingested = read_sources([tmp_path], CFG)
    assert ingested.documents.height == 0 and ingested.examples.height == 0
    assert ingested.rejected.select("kind", "reject_reason").row(0) == ("document", reason)
    assert ingested.rejected["source"][0] == f"{tmp_path.name}/{name}"


def test_encoding_error_names_line_byte_and_fix(tmp_path):
    write_files(tmp_path, {"a.txt": b"fine\nstill fine\nK\xfchl\n"})
    detail = read_sources([tmp_path], CFG).rejected["reject_detail"][0]
    assert detail.startswith("line 3: byte 0xFC") and "ingest.fallback_encoding" in detail


def test_fallback_encoding_and_byte_order_marks(tmp_path):
    write_files(
        tmp_path,
        {
            "legacy.txt": "K\u00fchlmittel pr\u00fcfen".encode("cp1252"),
            "wide.txt": "\ufeffUTF-16 text".encode("utf-16-le"),
        },
    )
    ingested = read_sources([tmp_path], IngestConfig(fallback_encoding="cp1252"))
    assert sorted(ingested.documents["text"]) == ["K\u00fchlmittel pr\u00fcfen", "UTF-16 text"]


def test_markdown_and_text_become_documents(tmp_path):
    write_files(
        tmp_path, {"b.md": "# Title B\r\n\r\nBody\r\n", "a.txt": "\ufeffFirst line\nmore\n", ".hidden.md": "# x"}
    )
    ingested = read_sources([tmp_path], CFG)
    assert ingested.rejected.height == 0
    assert ingested.documents.select("source", "format", "title", "text").rows() == [
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
    ingested = read_sources([tmp_path], CFG)
    assert ingested.documents.select("source", "title").rows() == [(f"{tmp_path.name}/kb.jsonl:1", "One")]
    assert ingested.rejected.select("source", "reject_reason").rows() == [
        (f"{tmp_path.name}/kb.jsonl:3", "invalid_json"),
        (f"{tmp_path.name}/kb.jsonl:4", "not_an_object"),
        (f"{tmp_path.name}/kb.jsonl:5", "missing_field"),
        (f"{tmp_path.name}/kb.jsonl:6", "wrong_type"),
        (f"{tmp_path.name}/kb.jsonl:7", "empty"),
    ]


def test_csv_json_and_parquet_text_columns(tmp_path):
    buffer = io.BytesIO()
    pl.DataFrame({"text": ["Parquet body text."], "title": ["P"]}).write_parquet(buffer)
    write_files(
        tmp_path,
        {
            "a.csv": 'sku,title,text\n007,"Cell, 10 kWh","A battery.\nTwo lines."\n008,Empty,\n',
            "b.json": json.dumps([{"text": "JSON body.", "title": "J"}]),
            "c.parquet": buffer.getvalue(),
        },
    )
    ingested = read_sources([tmp_path], CFG)
    name = tmp_path.name
    assert ingested.documents.select("source", "title", "text").rows() == [
        (f"{name}/a.csv#1", "Cell, 10 kWh", "A battery.\nTwo lines."),
        (f"{name}/b.json#1", "J", "JSON body."),
        (f"{name}/c.parquet#1", "P", "Parquet body text."),
    ]
    assert ingested.rejected.select("source", "reject_reason").rows() == [(f"{name}/a.csv#2", "wrong_type")]


@pytest.mark.parametrize(
    ("record", "generator", "turns"),
    [
        (CHAT, "import:openai-chat", 2),
        ({"messages": [{"role": "system", "content": "Be kind."}, *CHAT["messages"]]}, "import:openai-chat", 2),
        (
            {"conversations": [{"from": "human", "value": "Hi?"}, {"from": "gpt", "value": "Hello there."}]},
            "import:sharegpt",
            2,
        ),
        ({"instruction": "Summarise.", "input": "Long text.", "output": "Short."}, "import:alpaca", 2),
        ({"instruction": "Q2", "output": "A2", "history": [["Q1", "A1"]]}, "import:alpaca", 4),
        ({"prompt": "Say hi.", "completion": "Hi!"}, "import:prompt-completion", 2),
    ],
)
def test_datasets_are_imported_as_examples(tmp_path, record, generator, turns):
    write_files(tmp_path, {"data.jsonl": json.dumps(record) + "\n"})
    ingested = read_sources([tmp_path], CFG)
    assert ingested.rejected.height == 0
    example = ingested.examples.row(0, named=True)
    assert (example["generator"], example["task"], len(example["messages"])) == (generator, "imported", turns)
    assert example["messages"][-1]["role"] == "assistant"
    assert ingested.documents.select("format", "text").row(0) == ("dataset", "")


def test_invalid_dataset_rows_are_rejected_with_the_field(tmp_path):
    rows = [
        json.dumps(CHAT),
        json.dumps({"messages": [{"role": "user", "content": "Hi?"}, {"role": "assistant", "content": 42}]}),
        json.dumps({"messages": [{"role": "user", "content": "Hi?"}]}),
        json.dumps({"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "tool_calls": []}]}),
        json.dumps({"prompt": "p", "chosen": "a", "rejected": "b"}),
        json.dumps({"something": "else"}),
        "{oops",
    ]
    write_files(tmp_path, {"chats.jsonl": "\n".join(rows)})
    ingested = read_sources([tmp_path], CFG)
    assert ingested.examples["generator"].to_list() == ["import:openai-chat"]  # one format per file
    assert ingested.rejected.select("kind", "reject_reason", "reject_detail").rows() == [
        ("sft", "invalid_json", "column 2: Expecting property name enclosed in double quotes"),
        ("sft", "invalid_record", "messages[1].content: int, expected a string"),
        ("sft", "invalid_record", "the conversation does not end with an assistant turn"),
        ("sft", "unsupported_feature", "messages[1]: tool calls are not imported yet"),
        ("sft", "invalid_record", "messages must be a non-empty list"),
        ("sft", "invalid_record", "messages must be a non-empty list"),
    ]


def test_llama_factory_dataset_info_maps_columns(tmp_path):
    info = {
        "faq": {"file_name": "faq.json", "columns": {"prompt": "q", "response": "a"}},
        "chats": {
            "file_name": "chats.json",
            "formatting": "sharegpt",
            "columns": {"messages": "turns"},
            "tags": {"role_tag": "role", "content_tag": "text", "user_tag": "customer", "assistant_tag": "agent"},
        },
    }
    chats = [{"turns": [{"role": "customer", "text": "Hi?"}, {"role": "agent", "text": "Hello."}]}]
    write_files(
        tmp_path,
        {
            "dataset_info.json": json.dumps(info),
            "faq.json": json.dumps([{"q": "What is COP?", "a": "Heat out over power in."}]),
            "chats.json": json.dumps(chats),
        },
    )
    ingested = read_sources([tmp_path], CFG)
    assert ingested.rejected.height == 0
    assert sorted(ingested.examples["generator"]) == ["import:alpaca", "import:sharegpt"]
    assert "dataset_info.json" not in " ".join(ingested.documents["source"])


def test_html_keeps_main_content_only(tmp_path):
    page = """<html><head><title>T</title><script>track()</script><style>p{}</style></head><body>
    <nav><a href="/">Home page link</a></nav><div id="cookie-banner">Accept all cookies</div>
    <main><h1>Heat pumps</h1><p>The HP-7 is our smallest heat pump for flats and small houses.</p>
    <h2>Glossary</h2><dl><dt>COP</dt><dd>Coefficient of performance.</dd></dl></main>
    <footer>Copyright Brightwater footer</footer></body></html>"""
    write_files(tmp_path, {"p.html": page})
    document = read_sources([tmp_path], CFG).documents.row(0, named=True)
    assert document["title"] == "Heat pumps"
    assert "**COP**: Coefficient of performance." in document["text"]
    for boilerplate in ("Home page link", "Accept all cookies", "footer", "track()"):
        assert boilerplate not in document["text"]


def test_docx_headings_lists_and_tables(tmp_path):
    document = Document()
    document.add_paragraph("Installer checklist", style="Title")
    document.add_paragraph("Before you start", style="Heading 1")
    document.add_paragraph("Check the site.")
    document.add_paragraph("Switch off the mains", style="List Number")
    document.add_paragraph("Test the circuit", style="List Number")
    table = document.add_table(rows=2, cols=2)
    for cell, text in zip(table._cells, ["Check", "Value", "Pressure", "1.5 bar"], strict=True):
        cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    write_files(tmp_path, {"c.docx": buffer.getvalue()})
    text = read_sources([tmp_path], CFG).documents["text"][0]
    assert text == (
        "# Installer checklist\n\n## Before you start\n\nCheck the site.\n\n1. Switch off the mains\n1. Test the circuit"
        "\n\n| Check | Value |\n|---|---|\n| Pressure | 1.5 bar |"
    )


def test_too_large_file(tmp_path):
    write_files(tmp_path, {"big.txt": "x" * 2048})
    ingested = read_sources([tmp_path], IngestConfig(max_file_mb=0.001))
    assert ingested.rejected["reject_reason"].to_list() == ["too_large"]


def test_missing_source_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        read_sources([tmp_path / "nope"], CFG)


def test_exclude_patterns(tmp_path):
    write_files(tmp_path, {"keep.md": "# k\n\nbody", "eval/q.jsonl": "{}", "ftprep.toml": "x = 1"})
    ingested = read_sources([tmp_path], IngestConfig(exclude=["eval/**", "ftprep.toml"]))
    assert ingested.documents["source"].to_list() == [f"{tmp_path.name}/keep.md"] and ingested.rejected.height == 0


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Cafe\u0301 \r\nline  \r\n\n", "Caf\u00e9\nline"),
        ("K\u00c3\u00bchlmittel", "K\u00fchlmittel"),  # mojibake repaired
        ("a\u200bb\u00a0c", "ab c"),
        ("\u201cquoted\u201d", "\u201cquoted\u201d"),  # curly quotes kept
    ],
)
def test_normalize_text(raw, clean):
    assert normalize_text(raw) == clean


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400), suffix=st.sampled_from(sorted(KINDS)))
def test_any_bytes_become_a_document_or_a_reject(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"f{suffix}"
    path.write_bytes(data)
    loaded = read_file(SourceFile(path, path.name), CFG)
    assert len(loaded.documents) + len(loaded.examples) + len(loaded.rejected) >= 1
    assert all(row["reject_reason"] for row in loaded.rejected)


SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def test_pdf_outline_becomes_headings_and_lines_reflow():
    document = read_sources([SAMPLE / "manuals" / "hub-quick-start.pdf"], CFG).documents.row(0, named=True)
    text = document["text"]
    assert document["title"] == "Brightwater Hub Quick-Start Guide"
    assert "\n## Resetting the Hub\n" in text and "\n## Does the Hub work without the internet?\n" in text
    assert "\n\n1. Open the Brightwater app" in text  # a list is its own block
    assert "Q: The app shows E401. What should I do?\nA: E401 means" in text


def test_sample_html_pages_drop_every_boilerplate_element():
    ingested = read_sources([SAMPLE / "web"], CFG)
    assert ingested.documents.height == 2 and ingested.rejected.height == 0
    for text in ingested.documents["text"]:
        assert "cookie" not in text.lower() and "©" not in text and "Related articles" not in text
        assert "## Frequently asked questions" in text and "**" in text  # the <dl> glossary survives as terms


@settings(max_examples=300)
@given(
    st.text(
        alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E, blacklist_characters="&")
        | st.sampled_from(["\n", "\t"]),
        max_size=300,
    )
)
def test_printable_ascii_without_entities_needs_no_ftfy(text):
    """normalize_text skips ftfy for such text; this is the proof that ftfy would not have changed it."""
    import ftfy

    from pipeline.ingest.text import FTFY, NEEDS_FTFY

    assert not NEEDS_FTFY.search(text)
    assert ftfy.fix_text(text, FTFY) == text
