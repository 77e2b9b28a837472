"""example_id writes the same id as records.stable_id over the same fields, for any text and for odd shapes."""

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.generate.common import example_id
from pipeline.records import stable_id

TEXT = st.text()  # any code point: quotes, backslashes, control characters, non-ASCII, surrogates
TURN = st.fixed_dictionaries({"role": TEXT, "content": TEXT})
ODD_TURN = st.dictionaries(st.sampled_from(["role", "content", "name"]), TEXT | st.integers() | st.none())
OFFSET = st.integers(-(10**12), 10**12) | st.booleans() | st.floats(allow_nan=False)


def same(task, system, messages, source, section, start, end):
    try:
        expected = stable_id("sft", task, system, messages, source, section, start, end)
    except UnicodeEncodeError:  # a lone surrogate cannot be written as UTF-8 by either
        try:
            example_id(task, system, messages, source, section, start, end)
        except UnicodeEncodeError:
            return
        raise AssertionError("example_id wrote an id stable_id could not") from None
    assert example_id(task, system, messages, source, section, start, end) == expected


@settings(max_examples=300)
@given(TEXT, st.none() | TEXT, st.lists(TURN, max_size=4), TEXT, TEXT, st.integers(0, 10**12), st.integers(0, 10**12))
def test_example_id_is_stable_id(task, system, messages, source, section, start, end):
    same(task, system, messages, source, section, start, end)


@settings(max_examples=300)
@given(
    TEXT | st.none(),
    st.none() | TEXT | st.integers(),
    st.lists(TURN | ODD_TURN, max_size=3),
    TEXT | st.integers(),
    TEXT,
    OFFSET,
    OFFSET,
)
def test_example_id_is_stable_id_on_odd_shapes(task, system, messages, source, section, start, end):
    same(task, system, messages, source, section, start, end)


def test_a_known_id_is_unchanged():
    turns = [{"role": "user", "content": "What is “COP”?"}, {"role": "assistant", "content": 'A "ratio"\n\\ of heat.'}]
    assert example_id("glossary", None, turns, "a/b.md", "Terms > COP", 10, 42) == stable_id(
        "sft", "glossary", None, turns, "a/b.md", "Terms > COP", 10, 42
    )
