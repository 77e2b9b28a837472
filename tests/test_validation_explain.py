"""Schema findings a person can act on: the branch the record selects, at the field at fault, one per cause."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from pipeline.checks.format import check_record
from pipeline.checks.jsonschemas import load_schema
from pipeline.checks.targets import get_target

USER = {"role": "user", "content": "How long is the warranty?"}
ANSWER = {"role": "assistant", "content": "Seven years."}


def call(call_id: str) -> dict:
    return {"id": call_id, "type": "function", "function": {"name": "lookup", "arguments": "{}"}}


@pytest.mark.parametrize(
    ("target", "record", "expected"),
    [
        # one missing role: one error, not a `then` of every role ("tool_call_id", "name" required)
        ("openai-chat", {"messages": [{"content": "hi"}, ANSWER]}, [("schema.required", "messages[0]")]),
        ("together-conversational", {"messages": [{"content": "hi"}, ANSWER]}, [("schema.required", "messages[0]")]),
        # a content of no accepted type: at the content, naming the types
        (
            "openai-chat",
            {"messages": [{"role": "user", "content": 42}, ANSWER]},
            [("schema.type", "messages[0].content")],
        ),
        # a list content selects the array branch, and the part's `type` selects the text part
        (
            "openai-chat",
            {"messages": [{"role": "user", "content": [{"type": "text", "txt": "hi"}]}, ANSWER]},
            [("schema.additionalProperties", "messages[0].content[0]"), ("schema.required", "messages[0].content[0]")],
        ),
        (
            "openai-chat",
            {
                "messages": [
                    {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "ftp://x"}}]},
                    ANSWER,
                ]
            },
            [("schema.pattern", "messages[0].content[0].image_url.url")],
        ),
        # an image part where only text parts are allowed: the wrong `type` alone
        (
            "together-instruction",
            {"prompt": "Q?", "completion": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}}]},
            [("schema.const", "completion[0].type")],
        ),
        (
            "openai-chat",
            {"messages": [USER, {"role": "assistant", "content": None}]},
            [("schema.anyOf", "messages[1]")],
        ),
        # reused tool call ids have their own codes, not "orphan"
        (
            "openai-chat",
            {
                "messages": [
                    USER,
                    {"role": "assistant", "tool_calls": [call("c1"), call("c1")]},
                    {"role": "tool", "tool_call_id": "c1", "content": "1"},
                    {"role": "tool", "tool_call_id": "c1", "content": "2"},
                    ANSWER,
                ]
            },
            [
                ("semantic.tool_call_id_duplicate", "messages[1].tool_calls[1].id"),
                ("semantic.tool_result_duplicate", "messages[3].tool_call_id"),
            ],
        ),
    ],
)
def test_findings_name_the_field_at_fault_once(target, record, expected):
    found = check_record(record, get_target(target))
    assert sorted((f.code, f.path) for f in found) == sorted(expected)


def test_a_content_of_no_accepted_type_names_the_types():
    (finding,) = check_record({"messages": [{"role": "user", "content": 42}, ANSWER]}, get_target("openai-chat"))
    assert finding.message == "42 is not of type 'string' or 'array'"


MESSAGE = st.dictionaries(
    st.sampled_from(["role", "content", "name", "tool_call_id", "tool_calls", "weight"]),
    st.one_of(
        st.sampled_from(["user", "assistant", "system", "tool", "bot", "hi"]),
        st.integers(-1, 2),
        st.none(),
        st.lists(
            st.fixed_dictionaries(
                {"type": st.sampled_from(["text", "image_url", "refusal"])}, optional={"text": st.text(max_size=3)}
            ),
            max_size=2,
        ),
    ),
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(MESSAGE, max_size=4))
def test_an_invalid_record_always_gets_a_schema_finding_and_never_twice_the_same(messages):
    record = {"messages": messages}
    found = [f for f in check_record(record, get_target("openai-chat")) if f.code.startswith("schema.")]
    assert bool(found) == (not Draft202012Validator(load_schema("openai-chat")).is_valid(record))
    assert len({(f.path, f.code, f.message) for f in found}) == len(found)
