"""pipeline.jsontext writes the bytes json.dumps writes, or fails as it fails, on odd values."""

import enum
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.jsontext import compact_sorted, indented
from pipeline.records import stable_id


class Name(str):
    pass


class Level(enum.IntEnum):
    LOW = 1


# Strings with control characters, quotes, backslashes, non-ASCII, astral characters and lone surrogates.
STRINGS = st.text(
    st.characters(codec=None, categories=None)
    | st.sampled_from(["\x00", "\x1f", "\x7f", '"', "\\", "\u2028", "é", "😀", "\ud800", "\udfff", "/", "\n"])
)
SCALARS = (
    STRINGS
    | st.integers()
    | st.floats()
    | st.sampled_from([1e-05, 1e16, -0.0, 1e-4, 123456789012345678.0, 2**63, -(2**63) - 1, Name("x"), Level.LOW])
    | st.booleans()
    | st.none()
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.dictionaries(STRINGS | st.integers(), inner, max_size=4)
    ),
    max_leaves=12,
)


def outcome(write, value):
    try:
        return write(value)
    except (TypeError, ValueError) as error:  # a key that is not a string, a lone surrogate in UTF-8
        return type(error)


@settings(max_examples=1500, deadline=None)
@given(VALUES)
def test_compact_sorted_is_json_dumps(value):
    def stdlib(item):
        return json.dumps(item, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")

    assert outcome(compact_sorted, value) == outcome(stdlib, value)


@settings(max_examples=1500, deadline=None)
@given(VALUES)
def test_indented_is_json_dumps(value):
    def stdlib(item):
        return (json.dumps(item, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    assert outcome(indented, value) == outcome(stdlib, value)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        # ids made by the code before orjson wrote the payload (json.dumps): they must not change
        (("document", "docs/a.md"), "15bb7ed13ee5458baacf"),
        (
            ("sft", "faq", None, [{"role": "user", "content": "Wer? ünd 😀"}], "a.md", "A > B", 0, 12),
            "cf9fa874177ceab0052e",
        ),
        (("kto", 0.5, 1e-05, True), "a4fe48bf053b9f834ca2"),
    ],
)
def test_stable_ids_are_unchanged(parts, expected):
    assert stable_id(*parts) == expected
