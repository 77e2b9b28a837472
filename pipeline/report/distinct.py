"""Distinct-n, the diversity measure of the overfitting report, on hashed n-grams and in bounded time.

A million answers hold tens of millions of word pairs; as strings they cost gigabytes and minutes.
Here n-grams are 64-bit hashes (a collision among the 5,000 n-grams of a window is vanishingly rare),
and a large corpus is measured on a sample of whole windows.
"""

import itertools
from collections.abc import Iterable, Sequence

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
    """`distinct_n` for each n in `sizes`. The sampled runs of texts of different n overlap almost wholly, so
    the words of each stretch of overlapping runs are split and hashed once for all of them (a text's word
    hashes depend neither on n nor on the other texts); one stretch at a time, so memory stays a run's."""
    words = texts.fill_null("").str.count_matches(r"\w+").cast(pl.Int64).to_numpy()
    blocks = {n: sampled_blocks(words, n, budget) for n in sizes}
    ratios: dict[int, dict[int, pl.DataFrame]] = {n: {} for n in sizes}
    for low, high in stretches(itertools.chain.from_iterable(blocks.values())):
        hashes, owners = word_hashes(texts.slice(low, high - low))
        for n, runs in blocks.items():
            for index, (start, end) in enumerate(runs):
                if low <= start and end <= high:
                    first, last = np.searchsorted(owners, [start - low, end - low])
                    grams = rolling_grams(hashes[first:last], owners[first:last], n)[0]
                    ratios[n][index] = window_ratios(grams, window)
    found = {}
    for n, runs in blocks.items():
        if not runs:
            found[n] = 1.0
            continue
        everything = pl.concat([ratios[n][index] for index in range(len(runs))])
        full = everything.filter(pl.col("size") == window) if everything.height > 1 else everything
        found[n] = round(float(as_number((full if full.height else everything)["ratio"].mean())), 4)
    return found


def stretches(runs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The union of runs [low, high) as disjoint stretches, in order."""
    merged: list[tuple[int, int]] = []
    for low, high in sorted(runs):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


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


def word_hashes(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hashes of every word of the texts, in corpus order (repeats kept), with each word's row."""
    words = pl.DataFrame({"text": texts}).with_row_index("row")
    words = words.select("row", word=pl.col("text").fill_null("").str.to_lowercase().str.extract_all(r"\w+"))
    words = words.explode("word").drop_nulls("word")
    return words["word"].hash(NGRAM_SEED).to_numpy(), words["row"].to_numpy()


def window_ratios(grams: np.ndarray, window: int) -> pl.DataFrame:
    # In window order: a mean summed in group_by's arbitrary order differs in the last digit from run to run.
    frame = pl.DataFrame({"gram": grams, "window": np.arange(len(grams)) // window})
    return frame.group_by("window", maintain_order=True).agg(ratio=pl.col("gram").n_unique() / pl.len(), size=pl.len())
