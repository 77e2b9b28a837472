"""What a file is before its lines are read: empty, compressed, one pretty-printed document, a JSON array
numbered by record; and NUL characters, named at their field."""

import gzip
import io
import json
import zipfile

import jsonschema
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.checks.jsonschemas import load_schema
from pipeline.checks.targets import TARGETS
from pipeline.checks.validate.engine import Options, validate_files
from pipeline.checks.validate.file_kind import file_kind_finding

USER = {"role": "user", "content": "How long is the warranty on the HP-7?"}
ASSISTANT = {"role": "assistant", "content": "Seven years on the compressor, two on parts."}


def chat(i: int) -> dict:
    return {
        "messages": [{"role": "user", "content": f"Question {i}?"}, {"role": "assistant", "content": f"Answer {i}."}]
    }


JSONL = "".join(json.dumps(chat(i)) + "\n" for i in range(3000)).encode()


def run(tmp_path, data: bytes, name: str = "train.jsonl", **options):
    path = tmp_path / name
    path.write_bytes(data)
    return validate_files([path], Options(options.pop("target", "openai-chat"), tokens=False, **options))


def codes(result) -> list[str]:
    return [finding.code for finding in result.errors]


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("data", [b"", b"  \n\n\t\r\n", b"\xef\xbb\xbf", b"[]", b"  [ ]\n"])
def test_an_empty_file_is_one_error_for_every_target(tmp_path, target, data):
    result = run(tmp_path, data, target=target)
    assert not result.ok
    assert "file.empty" in codes(result)
    assert "file.blank_line" not in codes(result)


def parquet_bytes() -> bytes:
    buffer = io.BytesIO()
    pl.DataFrame({"messages": ["x"]}).write_parquet(buffer)
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("train.jsonl", JSONL)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("train.jsonl.gz", gzip.compress(JSONL), "gunzip -c train.jsonl.gz > train.jsonl"),
        ("train.jsonl", gzip.compress(JSONL), "a gzip file"),
        ("train.zip", zip_bytes(), "unzip train.zip"),
        ("train.parquet", parquet_bytes(), "a Parquet file"),
    ],
)
def test_a_compressed_file_is_one_error_that_says_how_to_decompress(tmp_path, name, data, says):
    result = run(tmp_path, data, name=name)
    assert codes(result) == ["file.compressed"]
    assert says in result.errors[0].message


def test_a_pretty_printed_object_is_one_error_with_the_fix(tmp_path):
    result = run(tmp_path, json.dumps(chat(1), indent=2).encode(), name="one.json")
    assert codes(result) == ["file.pretty_json"]
    assert "one JSON object over 12 lines" in result.errors[0].message
    assert "jq -c . one.json > one.jsonl" in result.errors[0].message


def test_a_broken_pretty_printed_array_names_its_syntax_error(tmp_path):
    text = json.dumps([chat(1), chat(2)], indent=2)
    text = text[: text.rindex("}") + 1] + ",\n]\n"  # a trailing comma
    result = run(tmp_path, text.encode(), name="all.json")
    assert codes(result) == ["file.pretty_json"]
    assert "not valid JSON (line " in result.errors[0].message and "jq -c '.[]' all.json" in result.errors[0].message


def test_jsonl_whose_first_line_is_broken_is_still_read_line_by_line(tmp_path):
    data = b'{"messages": [\n' + JSONL[:2000]
    result = run(tmp_path, data)
    assert codes(result)[:1] == ["json.invalid"] and "file.pretty_json" not in codes(result)


def test_a_json_array_is_numbered_by_record_in_text_and_json(tmp_path):
    records = [chat(i) for i in range(11)] + [{"messages": [USER]}]
    result = run(tmp_path, json.dumps(records, indent=2).encode(), name="all.json")
    [finding] = [f for f in result.errors if f.code == "semantic.no_assistant"]
    assert (finding.line, finding.unit) == (12, "record")
    assert "all.json: record 12: messages:" in result.summary()
    jsonschema.validate(result.to_json(), load_schema("validation-report"))
    assert result.to_json()["errors"][-1]["unit"] == "record"


def test_a_duplicate_in_a_json_array_names_the_earlier_record(tmp_path):
    records = [chat(i) for i in range(11)] + [chat(3)]
    result = run(tmp_path, json.dumps(records).encode(), name="all.json")
    [duplicate] = [f for f in result.warnings if f.code == "dataset.duplicate"]
    assert (duplicate.line, duplicate.unit, duplicate.message) == (12, "record", "same record as record 4")


@pytest.mark.parametrize("columnar", [True, False])
@pytest.mark.parametrize(
    ("line", "path", "raw"),
    [
        (
            b'{"messages": [{"role": "user", "content": "hi\\u0000"}, ' + json.dumps(ASSISTANT).encode() + b"]}",
            "messages[0].content",
            False,
        ),
        (
            b'{"messages": [' + json.dumps(USER).encode() + b', {"role": "assistant", "content": "o\x00k"}]}',
            "messages[1].content",
            True,
        ),
        (
            b'{"messages": ['
            + json.dumps(USER).encode()
            + b', {"role": "assistant", "content": "ok", "we\\u0000ight": 1}]}',
            "messages[1].we\x00ight",
            False,
        ),
    ],
)
def test_a_nul_character_is_an_error_at_its_field(tmp_path, columnar, line, path, raw):
    result = run(tmp_path, JSONL[:2000].rsplit(b"\n", 1)[0] + b"\n" + line + b"\n", columnar=columnar)
    found = [f for f in result.errors if f.code == "json.nul_character"]
    assert [f.path for f in found] == [path]
    assert ("raw NUL byte" in found[0].message) == raw
    assert "json.invalid" not in codes(result)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_file_kinds_never_raise_and_validation_never_crashes(tmp_path, data):
    path = tmp_path / "any.jsonl"
    path.write_bytes(data)
    file_kind_finding(path, len(data))
    result = validate_files([path], Options("trl-sft", tokens=False, workers=1))
    assert result.errors or result.records
