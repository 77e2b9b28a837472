"""one_space (and language.spaced, built on it) write the same text as replace_all over every run, on any text:
the class's characters of every kind (Unicode spaces, line and paragraph separators, combining marks,
punctuation) in runs of any length."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.language import spaced
from pipeline.spaces import SINGLE, one_space

PIECES = [" ", "  ", "\t", "\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x85", "\xa0", "\u2028", "\u3000", "\u200b", "-", ".",
          "’", "_", "é", "\u0301", "ß", "İ", "٣", "中", "a", "Z", "7", "😀", ",;", "\x00"]  # fmt: skip
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=30).map("".join)


@pytest.mark.parametrize("run", sorted(SINGLE))
@settings(max_examples=400, deadline=None)
@given(values=st.lists(st.one_of(st.none(), texts), max_size=8))
def test_one_space_equals_replacing_every_run(run, values):
    frame = pl.DataFrame({"text": values}, schema={"text": pl.String})
    ours = frame.select(one_space(pl.col("text"), run))["text"]
    plain = frame.select(pl.col("text").str.replace_all(run + "+", " "))["text"]
    assert ours.to_list() == plain.to_list()


def test_one_space_collapses_and_keeps():
    frame = pl.DataFrame({"text": ["a  b\tc\n\nd e", "x, y", "", " lone "]})
    assert frame.select(one_space(pl.col("text")))["text"].to_list() == ["a b c d e", "x, y", "", " lone "]
    assert frame.select(one_space(pl.col("text"), r"\W"))["text"].to_list() == ["a b c d e", "x y", "", " lone "]


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.one_of(st.none(), texts), max_size=8))
def test_spaced_gives_every_run_two_spaces(values):
    frame = pl.DataFrame({"text": values}, schema={"text": pl.String})
    ours = frame.select(spaced(pl.col("text"))).to_series()
    doubled = pl.concat_str(pl.lit(" "), pl.col("text").str.replace_all(r"\s+", "  "), pl.lit(" "))
    assert ours.to_list() == frame.select(doubled).to_series().to_list()
