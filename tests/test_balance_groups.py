"""The split's groups by size: counted per (group, file), as the per-group mode counted them."""

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from pipeline.report.balance import groups_by_size

ROWS = st.lists(
    st.tuples(
        st.sampled_from(["g1", "g2", "g3", None]), st.sampled_from(["a.md", "b.md", "c.jsonl:3", "c.jsonl:9", None])
    ),
    min_size=1,
    max_size=40,
)


def groups_by_mode(kept: pl.DataFrame) -> pl.DataFrame:
    """groups_by_size as first written: a mode per group."""
    file = pl.col("source").str.replace(r"[:#]\d+$", "")
    return (
        kept.group_by("group")
        .agg(n=pl.len(), files=file.n_unique(), file=file.mode().sort().first())
        .sort("n", "group", descending=[True, False])
    )


@settings(max_examples=300, deadline=None)
@given(ROWS)
def test_groups_by_size_is_the_per_group_mode(rows):
    kept = pl.DataFrame(rows, schema={"group": pl.String, "source": pl.String}, orient="row")
    assert_frame_equal(groups_by_size(kept), groups_by_mode(kept), check_dtypes=False)
