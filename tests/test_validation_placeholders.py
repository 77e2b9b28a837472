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

YOUTUBE_EMBED = (
    '<iframe width="560" height="315" src="https://www.youtube.com/embed/dQw4w9WgXcQ" title="YouTube video player" '
    'frameborder="0" allow="accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture" '
    "allowfullscreen></iframe>"
)


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
        # Embeds are answers (0.1.0 took any whole answer in angle brackets for a marker); a slot inside one is not.
        (YOUTUBE_EMBED, None),
        ('<embed src="/files/handbook.pdf" type="application/pdf" width="100%" height="600">', None),
        ('<video controls src="onboarding.mp4">Your browser does not support the video tag.</video>', None),
        ('<img src="https://handbook.tts.gsa.gov/images/chart.png" alt="Your dashboard, as of May">', None),
        ('<iframe src="https://www.youtube.com/embed/{{ video_id }}"></iframe>', "{{ video_id }}"),
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


ATTRIBUTE = st.text(alphabet=st.sampled_from([*"abcdefghijkmnopqrsuvwyzABC0123456789 /:.;=-_%?&#"]), max_size=40)
EMBED = st.builds(
    lambda tag, attributes, inner, closed: (
        f"<{tag}"
        + "".join(f' {name}="{value}"' for name, value in attributes)
        + ">"
        + (f"{inner}</{tag}>" if closed else "")
    ),
    st.sampled_from(["iframe", "embed", "video", "img", "audio", "object", "source"]),
    st.lists(
        st.tuples(st.sampled_from(["src", "title", "alt", "width", "allow", "type", "data"]), ATTRIBUTE), max_size=5
    ),
    st.sampled_from(["", "Your browser does not support the video tag.", "Loading…", "<track src=x.vtt>"]),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(EMBED, min_size=1, max_size=3).map("\n".join))
def test_an_html_embed_is_never_a_template_marker(answer):
    """Attribute values never hold a marker word here (no 't' or 'l': no TODO, TBD, lorem), so nothing may match."""
    assert template_marker(answer) is None
    assert not pl.Series([answer]).str.contains(PLACEHOLDER).item()
