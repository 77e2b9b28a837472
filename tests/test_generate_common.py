"""with_example_ids writes the id records.stable_id writes over the same fields, for any text and any row."""

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.generate.common import with_example_ids
from pipeline.records import EXAMPLE, stable_id

# Any code point a polars string can hold (lone surrogates cannot be UTF-8): quotes, backslashes, control
# characters, U+2028, non-ASCII, astral planes.
TEXT = st.text(st.characters(exclude_categories=("Cs",)))
TURN = st.fixed_dictionaries({"role": TEXT | st.none(), "content": TEXT | st.none()})
ROW = st.fixed_dictionaries(
    {
        "task": TEXT | st.none(),
        "system": TEXT | st.none(),
        "messages": st.lists(TURN, max_size=4) | st.none(),
        "source": TEXT | st.none(),
        "section": TEXT | st.none(),
        "span_start": st.integers(-(2**63), 2**63 - 1) | st.none(),
        "span_end": st.integers(-(2**63), 2**63 - 1) | st.none(),
    }
)


def expected_id(row: dict) -> str:
    fields = ("task", "system", "messages", "source", "section", "span_start", "span_end")
    return stable_id("sft", *(row[name] for name in fields))


@settings(max_examples=300)
@given(st.lists(ROW, min_size=1, max_size=6))
def test_ids_are_stable_ids_of_the_rows_fields(rows):
    frame = pl.DataFrame(rows, schema=EXAMPLE)
    assert with_example_ids(frame)["id"].to_list() == [expected_id(row) for row in rows]


def test_the_id_is_the_only_column_written():
    rows = [{"task": "faq", "messages": [{"role": "user", "content": "Q?"}], "span_start": 1, "span_end": 2}]
    frame = pl.DataFrame(rows, schema=EXAMPLE)
    assert with_example_ids(frame).drop("id").equals(frame.drop("id"))
    assert with_example_ids(frame.clear()).height == 0


def test_a_known_id_is_unchanged():
    turns = [{"role": "user", "content": "What is “COP”?"}, {"role": "assistant", "content": 'A "ratio"\n\\ of heat.'}]
    row = {"task": "glossary", "messages": turns, "source": "a/b.md", "section": "Terms > COP"}
    frame = pl.DataFrame([{**row, "span_start": 10, "span_end": 42}], schema=EXAMPLE)
    assert with_example_ids(frame)["id"].item() == stable_id(
        "sft", "glossary", None, turns, "a/b.md", "Terms > COP", 10, 42
    )
    assert with_example_ids(frame)["id"].item() == "2670814728072597a257"  # as every earlier version wrote it
