"""Template markers warn; short, list, JSON and tag-wrapped answers are answers. One pattern for prepare's
quality stage (polars) and `ftprep validate` (Python's re), so the two routes must agree on every text."""

import json
import re

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.checks.validate.engine import Options, validate_files
from pipeline.checks.validate.record_checks import template_marker
from pipeline.quality import PLACEHOLDER


@pytest.mark.parametrize(
    ("answer", "marker"),
    [
        ("[1, 2, 3]", None),
        ('["positive"]', None),
        ("[]", None),
        ("<answer>42</answer>", None),
        ("None", None),
        ("N/A", None),
        ("null", None),
        ("...", None),
        ("<p>Seven years on the compressor.</p>", None),
        ('{"label": "negative"}', None),
        ("Use `{x}` in f-strings and [links](https://example.org).", None),
        ("TODO", "TODO"),
        (" tbd. ", "tbd."),
        ("XXXX", "XXXX"),
        ("Answer here", "Answer here"),
        ("Dear {{ customer_name }}, your plan renews.", "{{ customer_name }}"),
        ("The warranty is [INSERT warranty period] long.", "[INSERT warranty period]"),
        ("Call <your phone number> today.", "<your phone number>"),
        ("Lorem ipsum dolor sit amet, consectetur adipiscing elit.", "Lorem ipsum"),
    ],
)
def test_template_markers(answer, marker):
    assert template_marker(answer) == marker


def chat(i: int, answer: str) -> str:
    return json.dumps(
        {"messages": [{"role": "user", "content": f"Question {i}?"}, {"role": "assistant", "content": answer}]}
    )


SHORT_ANSWERS = ["[1, 2, 3]", '["positive"]', "[]", "<answer>42</answer>", "None", "N/A", "<p>Yes.</p>"]


@pytest.mark.parametrize("columnar", [True, False])
def test_a_classification_dataset_passes_and_markers_only_warn(tmp_path, columnar):
    lines = [chat(i, answer) for i, answer in enumerate(SHORT_ANSWERS * 2)] + [chat(99, "TODO")]
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = validate_files([path], Options("openai-chat", tokens=False, columnar=columnar))
    assert result.ok, result.summary()
    assert [(f.line, f.code) for f in result.warnings] == [(15, "semantic.placeholder_answer")]


def test_with_a_response_schema_answers_are_checked_against_it_not_for_markers(tmp_path):
    answers = ["[1, 2]", '["positive"]', "[]", "TODO", '{"a": 1}', *(f"[{i}]" for i in range(5))]
    lines = [chat(i, answer) for i, answer in enumerate(answers)]
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = validate_files([path], Options("openai-chat", tokens=False, response_schema={"type": "array"}))
    assert [(f.line, f.path, f.code) for f in result.errors] == [
        (4, "answer[0]", "response.not_json"),
        (5, "answer[0]", "response.schema"),
    ]
    assert not result.warnings


PARTS = [*"abx XTODtodé{}[]<>_.:\n\u00a0", "insert", "your", "{{", "}}", "Lorem ipsum", "TODO", "tbd", "answer here"]
TEXT = st.lists(st.sampled_from(PARTS), max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=20))
def test_polars_and_python_agree_on_the_pattern(texts):
    polars_says = pl.Series(texts, dtype=pl.String).str.contains(PLACEHOLDER).to_list()
    python_says = [re.search(PLACEHOLDER, text) is not None for text in texts]
    assert polars_says == python_says
    assert python_says == [template_marker(text) is not None for text in texts]
