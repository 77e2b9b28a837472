import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.sentences import sentence_spans, sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Primitive societies practised socialism.Humans lived in groups.",
            ["Primitive societies practised socialism.", "Humans lived in groups."],
        ),
        ("Dr. Smith arrived at 3.5 p.m. today. He left.", ["Dr. Smith arrived at 3.5 p.m. today.", "He left."]),
        ("See brightwater.example for more. Then call.", ["See brightwater.example for more.", "Then call."]),
        ("It costs approx. 40 EUR. Pay now.", ["It costs approx. 40 EUR.", "Pay now."]),
        ('What? Yes! "Quoted." Next one.', ["What?", "Yes!", '"Quoted."', "Next one."]),
        ("Use e.g. the app. Version 2.1.3 is out.", ["Use e.g. the app.", "Version 2.1.3 is out."]),
        ("J. R. R. Tolkien wrote books. They sold.", ["J. R. R. Tolkien wrote books.", "They sold."]),
        ("The HP-7 heats water to 55 °C. It is quiet", ["The HP-7 heats water to 55 °C.", "It is quiet"]),
        ("", []),
        ("   ", []),
    ],
)
def test_sentences(text, expected):
    assert sentences(text) == expected


@given(st.text(alphabet=st.sampled_from(list("ab AB.!?\n\"'3e.g")), max_size=200))
def test_spans_are_ordered_trimmed_and_cover_all_text(text):
    spans = sentence_spans(text)
    covered = "".join(text[start:end] for start, end in spans)
    assert covered == "".join(text.split()) or "".join(covered.split()) == "".join(text.split())
    for (_, end), (next_start, _) in itertools.pairwise(spans):
        assert end <= next_start
    assert all(not text[start].isspace() and not text[end - 1].isspace() for start, end in spans)
