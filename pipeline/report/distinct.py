"""Distinct-n, the diversity measure of the overfitting report, on hashed n-grams and in bounded time.

A million answers hold tens of millions of word pairs; as strings they cost gigabytes and minutes.
Here n-grams are 64-bit hashes (a collision among the 5,000 n-grams of a window is vanishingly rare),
and a large corpus is measured on a sample of whole windows.
"""

import numpy as np
import polars as pl

from pipeline.records import as_number
from pipeline.similarity.ngrams import rolling_grams

SAMPLED_GRAMS = 2_000_000  # n-grams above which distinct-n is measured on a sample of windows
BLOCKS = 20  # evenly spaced runs of texts in that sample
NGRAM_SEED = 13


def distinct_n(texts: pl.Series, n: int, window: int = 5_000, budget: int = SAMPLED_GRAMS) -> float:
    """Distinct word n-grams over all n-grams (Li et al. 2016), averaged over windows of `window`
    n-grams in corpus order: the plain ratio falls as a corpus grows, the windowed one compares
    across dataset sizes. 1.0 means no phrase repeats.

    Above `budget` n-grams the mean is taken over the windows of BLOCKS evenly spaced runs of texts
    (a sample of whole windows, so the value estimates the same mean); n-grams are compared as 64-bit
    hashes, never as strings, so a million answers cost seconds and little memory."""
    words = texts.fill_null("").str.count_matches(r"\w+").cast(pl.Int64)
    grams = (words - (n - 1)).clip(0).to_numpy()
    total = int(grams.sum())
    if total == 0:
        return 1.0
    if total <= budget:
        blocks = [(0, len(texts))]
    else:
        ends = np.cumsum(grams)
        size = budget // BLOCKS
        starts = np.searchsorted(ends, np.linspace(0, total - size, BLOCKS), side="right")
        blocks = [(int(start), int(np.searchsorted(ends, ends[start] - grams[start] + size)) + 1) for start in starts]
    ratios = [window_ratios(gram_hashes_in_order(texts.slice(low, high - low), n), window) for low, high in blocks]
    everything = pl.concat(ratios)
    full = everything.filter(pl.col("size") == window) if everything.height > 1 else everything
    return round(float(as_number((full if full.height else everything)["ratio"].mean())), 4)


def gram_hashes_in_order(texts: pl.Series, n: int) -> np.ndarray:
    """64-bit hashes of every word n-gram of the texts, in corpus order (repeats kept)."""
    words = pl.DataFrame({"text": texts}).with_row_index("row")
    words = words.select("row", word=pl.col("text").fill_null("").str.to_lowercase().str.extract_all(r"\w+"))
    words = words.explode("word").drop_nulls("word")
    return rolling_grams(words["word"].hash(NGRAM_SEED).to_numpy(), words["row"].to_numpy(), n)[0]


def window_ratios(grams: np.ndarray, window: int) -> pl.DataFrame:
    # In window order: a mean summed in group_by's arbitrary order differs in the last digit from run to run.
    frame = pl.DataFrame({"gram": grams, "window": np.arange(len(grams)) // window})
    return frame.group_by("window", maintain_order=True).agg(ratio=pl.col("gram").n_unique() / pl.len(), size=pl.len())
