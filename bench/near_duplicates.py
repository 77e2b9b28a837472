"""A seeded corpus with planted near-duplicates whose true word-shingle Jaccard is known.

Documents are sentences of pseudo-words drawn with Zipf frequencies (capitals, commas and full stops,
so normalisation has work), 50-350 words each. A share of documents are copies of a base document in
the same batch with word edits (substitute, insert or delete) at a rate drawn from U(0.2%, 3.5%); one
word edit changes about n shingles, so true Jaccard spreads on both sides of 0.8. The truth of every
planted pair is the exact n-gram Jaccard of the word sequences, computed with Python sets here and
not with the code under test. Same seed, same bytes.
"""

import itertools
import random
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
import polars as pl

VOCABULARY = 30_000
SYLLABLES = "ka ri to ne mu sa lo pe vi da go ze ha ni bu re so fa mi te lu wo ya".split()
BATCH = 20_000  # documents per generated batch; a planted copy's base is in the same batch


class Batch(NamedTuple):
    texts: pl.DataFrame  # doc (global id), text
    words: list[np.ndarray]  # word ids per document, for exact truth
    planted: pl.DataFrame  # a, b (global ids), jaccard


def vocabulary(rng: random.Random) -> list[str]:
    """Distinct pseudo-words; frequent ranks are short, as in natural language."""
    words: dict[str, None] = {}
    while len(words) < VOCABULARY:
        syllables = 1 + min(len(words) // 400, 3) + rng.randint(0, 1)
        words["".join(rng.choice(SYLLABLES) for _ in range(syllables))] = None
    return list(words)


def surfaces(words: list[str]) -> list[str]:
    """Four spellings per word (plain, sentence start, before a comma, sentence end) that normalise to it."""
    return [form for word in words for form in (word, word.capitalize(), f"{word},", f"{word}.")]


def render(words: list[np.ndarray], forms: list[str], rng: np.random.Generator) -> list[str]:
    """The documents' texts: sentences of about 12 words."""
    ids = np.concatenate(words)
    last = np.cumsum([len(w) for w in words]) - 1
    variant = np.where(rng.random(len(ids)) < 0.08, 2, 0)
    ends = rng.random(len(ids)) < 1 / 12
    ends[last] = True
    variant[ends] = 3
    starts = np.concatenate([[True], ends[:-1]])
    variant[starts & ~ends] = 1
    tokens = [forms[i] for i in (ids * 4 + variant).tolist()]
    bounds = [0, *(last + 1).tolist()]
    return [" ".join(tokens[low:high]) for low, high in itertools.pairwise(bounds)]


def edit(ids: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """A copy of `ids` with round(rate * len) (at least one) random substitutions, insertions or deletions."""
    copy = ids.tolist()
    for _ in range(max(1, round(rate * len(ids)))):
        kind, at = rng.integers(3), int(rng.integers(len(copy)))
        if kind == 0:
            copy[at] = int(rng.integers(VOCABULARY))
        elif kind == 1:
            copy.insert(at, int(rng.integers(VOCABULARY)))
        elif len(copy) > 1:
            del copy[at]
    return np.array(copy, dtype=np.int64)


def ngram_set(ids: np.ndarray, n: int) -> set[tuple[int, ...]]:
    words = ids.tolist()
    if len(words) < n:
        return {tuple(words)}
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def true_jaccard(left: np.ndarray, right: np.ndarray, n: int) -> float:
    a, b = ngram_set(left, n), ngram_set(right, n)
    return len(a & b) / len(a | b)


def batches(docs: int, seed: int = 20261129, copies: float = 0.1, n: int = 5) -> Iterator[Batch]:
    """The corpus in batches of BATCH documents; about `copies` of them are planted near-duplicates."""
    forms = surfaces(vocabulary(random.Random(seed)))
    rng = np.random.default_rng(seed)
    cdf = np.cumsum(1 / np.arange(1, VOCABULARY + 1) ** 1.07)
    cdf /= cdf[-1]
    for start in range(0, docs, BATCH):
        size = min(BATCH, docs - start)
        words: list[np.ndarray] = []
        planted = []
        for local in range(size):
            if local > 0 and rng.random() < copies:
                base = int(rng.integers(local))
                words.append(edit(words[base], float(rng.uniform(0.002, 0.035)), rng))
                planted.append((start + base, start + local, true_jaccard(words[base], words[-1], n)))
            else:
                words.append(np.searchsorted(cdf, rng.random(int(rng.integers(50, 351)))))
        texts = render(words, forms, rng)
        yield Batch(
            pl.DataFrame({"doc": np.arange(start, start + size, dtype=np.int64), "text": texts}),
            words,
            pl.DataFrame(planted, schema={"a": pl.Int64, "b": pl.Int64, "jaccard": pl.Float64}, orient="row"),
        )
