"""rows_frame builds the same frame polars builds from the dicts, on every shape extractors write."""

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from pipeline.generate.extractive import REFUSED
from pipeline.generate.rows import rows_frame
from pipeline.records import EXAMPLE

TEXT = st.text(max_size=30)
TURN = st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant", "system"]), "content": TEXT})
ROW = st.fixed_dictionaries(
    {
        "id": TEXT,
        "kind": st.just("sft"),
        "task": st.sampled_from(["faq", "qa", "heading", "dialogue"]),
        "system": st.none() | TEXT,
        "messages": st.lists(TURN, min_size=1, max_size=5),
        "doc_id": TEXT,
        "source": TEXT,
        "section": TEXT,
        "span_start": st.integers(0, 10**9),
        "span_end": st.integers(0, 10**9),
        "generator": TEXT,
    },
    optional={"_reason": TEXT, "_detail": TEXT, "label": st.booleans()},
)


@settings(max_examples=200)
@given(st.lists(ROW, max_size=8))
def test_rows_frame_equals_polars_reading_the_dicts(rows):
    for schema in (EXAMPLE, {**EXAMPLE, **REFUSED}):
        assert_frame_equal(rows_frame(rows, schema), pl.DataFrame(rows, schema=schema))


def test_a_row_without_turns_keeps_its_empty_list():
    row = {"id": "a", "messages": []}
    rows = [row, {"id": "b", "messages": [{"role": "user", "content": "x"}]}]
    assert_frame_equal(rows_frame(rows, EXAMPLE), pl.DataFrame(rows, schema=EXAMPLE))
    assert rows_frame(rows, EXAMPLE)["messages"].to_list()[0] == []
