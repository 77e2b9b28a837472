"""distinct_ns: several n over texts whose words are hashed once give distinct_n's value for each."""

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.records import as_number
from pipeline.report import distinct
from pipeline.similarity.ngrams import rolling_grams

WORDS = st.sampled_from(["a", "b", "Der", "der", "ünd", "x1", "", "!", "a-b", "日本"])
TEXTS = st.lists(st.lists(WORDS, max_size=12).map(" ".join) | st.none(), max_size=30)


def distinct_n_alone(texts: pl.Series, n: int, window: int, budget: int) -> float:
    """distinct_n as first written: each n on its own, each sampled run of texts split and hashed again."""
    words = texts.fill_null("").str.count_matches(r"\w+").cast(pl.Int64)
    grams = (words - (n - 1)).clip(0).to_numpy()
    total = int(grams.sum())
    if total == 0:
        return 1.0
    if total <= budget:
        blocks = [(0, len(texts))]
    else:
        ends = np.cumsum(grams)
        size = budget // distinct.BLOCKS
        starts = np.searchsorted(ends, np.linspace(0, total - size, distinct.BLOCKS), side="right")
        blocks = [(int(start), int(np.searchsorted(ends, ends[start] - grams[start] + size)) + 1) for start in starts]
    ratios = []
    for low, high in blocks:
        part = pl.DataFrame({"text": texts.slice(low, high - low)}).with_row_index("row")
        part = part.select("row", word=pl.col("text").fill_null("").str.to_lowercase().str.extract_all(r"\w+"))
        part = part.explode("word").drop_nulls("word")
        hashes = rolling_grams(part["word"].hash(distinct.NGRAM_SEED).to_numpy(), part["row"].to_numpy(), n)[0]
        ratios.append(distinct.window_ratios(hashes, window))
    everything = pl.concat(ratios)
    full = everything.filter(pl.col("size") == window) if everything.height > 1 else everything
    return round(float(as_number((full if full.height else everything)["ratio"].mean())), 4)


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.integers(1, 30), st.sampled_from([20, 60, 100, 2_000_000]))
def test_distinct_ns_is_distinct_n_of_each_n(texts, window, budget):
    series = pl.Series(texts, dtype=pl.String)
    found = distinct.distinct_ns(series, (1, 2, 3), window, budget)
    assert found == {n: distinct_n_alone(series, n, window, budget) for n in (1, 2, 3)}
