"""Distinct-n, the diversity measure of the overfitting report, on hashed n-grams and in bounded time.

A million answers hold tens of millions of word pairs; as strings they cost gigabytes and minutes.
Here n-grams are 64-bit hashes (a collision among the 5,000 n-grams of a window is vanishingly rare),
and a large corpus is measured on a sample of whole windows.
"""

import itertools
from collections.abc import Sequence

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
    return distinct_ns(texts, (n,), window, budget)[n]


def distinct_ns(
    texts: pl.Series, sizes: Sequence[int], window: int = 5_000, budget: int = SAMPLED_GRAMS
) -> dict[int, float]:
    """`distinct_n` for each n in `sizes`: the words of the texts any of them samples are split and hashed
    once, since a text's word hashes do not depend on n or on the other texts."""
    words = texts.fill_null("").str.count_matches(r"\w+").cast(pl.Int64).to_numpy()
    blocks = {n: sampled_blocks(words, n, budget) for n in sizes}
    wanted = np.zeros(len(texts), dtype=bool)
    for low, high in itertools.chain.from_iterable(blocks.values()):
        wanted[low:high] = True
    hashes, owners = word_hashes(texts, wanted)
    found = {}
    for n, runs in blocks.items():
        if not runs:
            found[n] = 1.0
            continue
        ratios = []
        for low, high in runs:
            start, end = np.searchsorted(owners, [low, high])
            ratios.append(window_ratios(rolling_grams(hashes[start:end], owners[start:end], n)[0], window))
        everything = pl.concat(ratios)
        full = everything.filter(pl.col("size") == window) if everything.height > 1 else everything
        found[n] = round(float(as_number((full if full.height else everything)["ratio"].mean())), 4)
    return found


def sampled_blocks(words: np.ndarray, n: int, budget: int) -> list[tuple[int, int]]:
    """The runs of texts [low, high) whose n-grams are measured: every text, or BLOCKS evenly spaced runs
    of about budget / BLOCKS n-grams each; none when the texts have no n-gram."""
    grams = np.clip(words - (n - 1), 0, None)
    total = int(grams.sum())
    if total == 0:
        return []
    if total <= budget:
        return [(0, len(words))]
    ends = np.cumsum(grams)
    size = budget // BLOCKS
    starts = np.searchsorted(ends, np.linspace(0, total - size, BLOCKS), side="right")
    return [(int(start), int(np.searchsorted(ends, ends[start] - grams[start] + size)) + 1) for start in starts]


def word_hashes(texts: pl.Series, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hashes of every word of the wanted texts, in corpus order (repeats kept), with each word's row."""
    rows = pl.DataFrame({"text": texts}).with_row_index("row").filter(pl.Series(wanted))
    words = rows.select("row", word=pl.col("text").fill_null("").str.to_lowercase().str.extract_all(r"\w+"))
    words = words.explode("word").drop_nulls("word")
    return words["word"].hash(NGRAM_SEED).to_numpy(), words["row"].to_numpy()


def window_ratios(grams: np.ndarray, window: int) -> pl.DataFrame:
    # In window order: a mean summed in group_by's arbitrary order differs in the last digit from run to run.
    frame = pl.DataFrame({"gram": grams, "window": np.arange(len(grams)) // window})
    return frame.group_by("window", maintain_order=True).agg(ratio=pl.col("gram").n_unique() / pl.len(), size=pl.len())
