"""Every target's fixture files: valid.jsonl has no finding, each invalid line exactly its expected codes."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.checks.format import check_record, validate_file
from pipeline.checks.targets import TARGETS, get_target

DATA = Path(__file__).parent / "data" / "formats"
WITH_FIXTURES = sorted(name for name in TARGETS if (DATA / name / "valid.jsonl").exists())


def test_every_target_but_openai_chat_has_fixtures():
    assert set(TARGETS) - set(WITH_FIXTURES) <= {"openai-chat"}  # openai-chat: tests/test_validate.py


@pytest.mark.parametrize("name", WITH_FIXTURES)
def test_valid_fixture_lines_have_no_findings(name):
    result = validate_file(DATA / name / "valid.jsonl", name)
    assert result.records >= 5
    assert [(finding.line, finding.code, finding.path) for finding in result.errors] == []


@pytest.mark.parametrize("name", WITH_FIXTURES)
def test_invalid_fixture_lines_give_exactly_their_codes(name):
    expected = json.loads((DATA / name / "invalid.codes.json").read_text(encoding="utf-8"))
    result = validate_file(DATA / name / "invalid.jsonl", name)
    found: dict[int, list[str]] = {}
    for finding in result.errors:
        found.setdefault(finding.line, []).append(finding.code)
    target = get_target(name)
    short = ["file.too_few_examples"] if target.min_examples and result.records < target.min_examples else []
    assert result.records == len(expected)
    assert found.pop(0, []) == short  # a fixture need not reach a provider's minimum file size
    assert [sorted(found.get(line, [])) for line in range(1, len(expected) + 1)] == [sorted(c) for c in expected]


KEYS = [
    "chosen",
    "completion",
    "completions",
    "content",
    "contents",
    "conversations",
    "fileData",
    "from",
    "history",
    "image_url",
    "inlineData",
    "input",
    "instruction",
    "label",
    "messages",
    "mimeType",
    "non_preferred_output",
    "output",
    "parts",
    "preferred_output",
    "prompt",
    "rejected",
    "role",
    "score",
    "system",
    "systemInstruction",
    "system_instruction",
    "text",
    "tool_calls",
    "type",
    "url",
    "value",
    "weight",
]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-1, 2)
    | st.floats(allow_nan=False)
    | st.sampled_from(["user", "assistant", "model", "gpt", " ", "x"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4),
    max_leaves=20,
)


@pytest.mark.parametrize("name", sorted(TARGETS))
@settings(max_examples=60)
@given(value=json_values)
def test_checks_never_raise(name, value):
    target = get_target(name)
    for finding in check_record(value, target):
        assert finding.code and finding.message
    if isinstance(value, dict):
        assert all(finding.code and finding.message for finding in target.semantic_checks(value))
