import json

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.checks.format import check_format, check_record, validate_file
from pipeline.checks.targets import get_target
from pipeline.records import EXAMPLE

TARGET = get_target("openai-chat")
OK = {
    "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi?"},
        {"role": "assistant", "content": "Hello."},
    ]
}


def with_messages(*messages: dict) -> dict:
    return {"messages": list(messages)}


USER = {"role": "user", "content": "Question?"}
ASSISTANT = {"role": "assistant", "content": "Answer."}


@pytest.mark.parametrize(
    ("record", "codes"),
    [
        (OK, []),
        (with_messages(USER, {**ASSISTANT, "weight": 1}), []),
        (
            with_messages(
                USER,
                {
                    "role": "assistant",
                    "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
                },
            ),
            [],
        ),
        ({}, ["schema.required"]),
        ({"messages": []}, ["schema.minItems"]),
        ({**OK, "extra": 1}, ["schema.additionalProperties"]),
        (with_messages(USER, {"role": "assistant", "content": 42}), ["schema.type"]),
        (with_messages(USER, {"role": "robot", "content": "x"}), ["schema.enum"]),
        (with_messages({"role": "user"}, ASSISTANT), ["schema.required"]),
        (with_messages(USER, {**ASSISTANT, "weight": 2}), ["schema.enum"]),
        (with_messages(USER, {"role": "assistant", "content": None}), ["schema.anyOf"]),
        (with_messages(USER), ["semantic.no_assistant"]),
        (with_messages(USER, ASSISTANT, USER), ["semantic.last_not_assistant"]),
        (with_messages(USER, {"role": "system", "content": "late"}, ASSISTANT), ["semantic.system_not_first"]),
        (with_messages(USER, {"role": "assistant", "content": "  "}), ["semantic.empty_content"]),
        ([1, 2], ["schema.type"]),
    ],
)
def test_check_record(record, codes):
    assert [finding.code for finding in check_record(record, TARGET)] == codes


def test_finding_path_points_at_the_field():
    (finding,) = check_record(with_messages(USER, {"role": "assistant", "content": 42}), TARGET)
    assert finding.path == "messages[1].content"


def test_validate_file_reports_every_line(tmp_path):
    lines = [json.dumps(OK)] * 10 + ["", "{broken", json.dumps(with_messages(USER)), json.dumps(OK)]
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = validate_file(path, "openai-chat")
    assert [(f.line, f.code) for f in result.errors] == [
        (11, "file.blank_line"),
        (12, "json.invalid"),
        (13, "semantic.no_assistant"),
    ]
    assert result.records == 13 and not result.ok  # every line but the blank one


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"\xef\xbb\xbf" + json.dumps(OK).encode() + b"\n", "file.bom"),
        (json.dumps(OK).encode() + b"\n", "file.too_few_examples"),
        (b"\xff\xfe{}\n", "file.encoding"),
    ],
)
def test_file_level_findings(tmp_path, content, code):
    path = tmp_path / "f.jsonl"
    path.write_bytes(content)
    assert code in {finding.code for finding in validate_file(path, "openai-chat").errors}


def test_format_stage_rejects_with_the_first_finding():
    frame = pl.DataFrame(
        [
            {"id": "good", "kind": "sft", "messages": [USER, ASSISTANT]},
            {"id": "bad", "kind": "sft", "messages": [USER, {"role": "assistant", "content": " "}]},
        ],
        schema=EXAMPLE,
    )
    kept, rejected = check_format(frame, "openai-chat")
    assert kept["id"].to_list() == ["good"]
    assert rejected.select("id", "reject_reason", "reject_detail").row(0) == (
        "bad",
        "semantic.empty_content",
        "messages[1].content: the assistant message is empty",
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["messages", "role", "content", "weight", "tools", "x"]), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_check_record_never_raises(value):
    for finding in check_record(value, TARGET):
        assert finding.code and finding.message


@given(st.binary(max_size=300))
def test_validate_file_never_raises_on_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("v") / "f.jsonl"
    path.write_bytes(data)
    result = validate_file(path, "openai-chat")
    assert result.ok == (not result.errors)


roles = st.sampled_from(["system", "user", "assistant", "tool", "robot", None])
contents = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "\n\t", "\u00a0", "\u2003", "\x1c", "\u200b", "ok", "An answer."]),
    st.text(alphabet=st.sampled_from(" \t\n\x1c\x85\u00a0\u2003\u3000\u200bab"), max_size=4),
    st.text(max_size=8),
)
message_lists = st.lists(st.fixed_dictionaries({"role": roles, "content": contents}), max_size=5)


@settings(max_examples=300)
@given(st.lists(message_lists, min_size=1, max_size=8))
def test_fast_path_agrees_with_jsonschema(conversations):
    frame = pl.DataFrame(
        [{"id": str(i), "kind": "sft", "messages": m} for i, m in enumerate(conversations)], schema=EXAMPLE
    )
    records = TARGET.to_records(frame)
    fast = TARGET.clean_rows(records).to_list()
    exact = [not check_record(record, TARGET) for record in records.to_dicts()]
    assert fast == exact


def test_inlined_schemas_explain_exactly_like_the_originals():
    """Every fixture line of every target: the same errors, paths and messages with $refs inlined."""
    from pathlib import Path

    from jsonschema import Draft202012Validator

    from pipeline.checks.jsonschemas import explainer, load_schema, validator
    from pipeline.checks.targets import TARGETS

    chat = [
        '{"messages": [{"role": "user", "content": 4}, {"role": "bot", "content": "x"}], "extra": 1}',
        '{"messages": [{"role": "assistant", "content": [{"type": "text", "text": 1}], "tool_calls": [{}]}]}',
        '{"messages": [], "tools": [{"type": "function", "function": {"name": 3}}]}',
    ]
    checked = 0
    for target in TARGETS.values():
        original = Draft202012Validator(load_schema(target.schema))
        paths = sorted(Path("tests/data/formats", target.name).glob("*.jsonl"))
        for path in paths + ([None] if target.name == "openai-chat" else []):
            for line in path.read_text(encoding="utf-8").splitlines() if path else chat:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                assert explained(validator(target.schema), record) == explained(original, record), (path, line)
                assert ordered_errors(explainer(target.schema)(record)) == ordered_errors(
                    original.iter_errors(record)
                ), (path, line)
                checked += 1
    assert checked > 100


def explained(checker, record: object) -> list[tuple]:
    return sorted((error.validator, list(error.absolute_path), error.message) for error in checker.iter_errors(record))


def ordered_errors(errors) -> list[tuple]:
    """Errors in the order findings are reported: by path, then as found."""
    ordered = sorted(errors, key=lambda error: list(map(str, error.absolute_path)))
    return [(error.validator, list(error.absolute_path), error.message) for error in ordered]


@settings(max_examples=300)
@given(
    st.lists(
        st.one_of(
            st.fixed_dictionaries(
                {
                    "role": st.sampled_from(["user", "assistant", "system", "bot", 3]),
                    "content": st.one_of(st.text(max_size=5), st.integers(), st.none()),
                }
            ),
            st.dictionaries(
                st.sampled_from(["role", "content", "name", "weight", "tool_calls", "x"]),
                st.one_of(st.text(max_size=3), st.integers(), st.lists(st.integers(), max_size=2)),
                max_size=4,
            ),
            st.integers(),
        ),
        max_size=5,
    ),
    st.dictionaries(
        st.sampled_from(["tools", "extra", "parallel_tool_calls"]),
        st.one_of(st.booleans(), st.lists(st.integers(), max_size=2)),
        max_size=2,
    ),
)
def test_item_by_item_explanation_equals_the_whole(messages, extra):
    from jsonschema import Draft202012Validator

    from pipeline.checks.jsonschemas import explainer, guarded, load_schema

    record = {"messages": messages, **extra}
    written = Draft202012Validator(load_schema("openai-chat"))
    whole = list(Draft202012Validator(guarded(load_schema("openai-chat"))).iter_errors(record))
    explained = explainer("openai-chat")(record)
    assert ordered_errors(explained) == ordered_errors(whole or written.iter_errors(record))
    assert bool(explained) == (not written.is_valid(record))  # guarding the ifs never hides an invalid record
