"""Every target's fixture files: valid.jsonl has no finding, each invalid line exactly its expected codes."""

import json
from pathlib import Path

import pytest

from pipeline.formats import TARGETS, get_target
from pipeline.validate import validate_file

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
