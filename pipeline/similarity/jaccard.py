"""Exact Jaccard of candidate pairs: LSH only proposes, these verify.

`verified_edges` checks candidate pairs of compared texts on their word-shingle hashes, a batch of
pairs at a time (`pair_jaccard`, vectorised over packed sorted keys); `jaccard` is the plain version
for small string sets such as preference questions.
"""

import numpy as np
import polars as pl

from pipeline.similarity.compare import CompareTexts
from pipeline.similarity.minhash import ShingleHashes, shingle_hashes

VERIFY_PAIRS = 20_000  # candidate pairs verified together (pair_jaccard takes < 2**20): tens of MB of hashes
INDEX_BITS = 20  # pair_jaccard packs a document or pair index (below 2**20) ...
HASH_BITS = 64 - INDEX_BITS  # ... and the top 44 bits of a shingle hash into one sortable uint64


def verified_edges(
    candidates: pl.DataFrame, texts: "CompareTexts | pl.Series", n: int, threshold: float
) -> pl.DataFrame:
    """Candidate pairs whose exact shingle Jaccard reaches the threshold (LSH only proposes).

    Pairs are verified VERIFY_PAIRS at a time, each batch hashing only its own documents' shingles again,
    so the cost follows the candidates, not the corpus, and memory stays bounded.
    """
    similarity = [candidate_jaccard(batch, texts, n) for batch in candidates.iter_slices(VERIFY_PAIRS)]
    edges = candidates.with_columns(jaccard=pl.Series(np.concatenate([np.zeros(0), *similarity]), dtype=pl.Float64))
    return edges.filter(pl.col("jaccard") >= threshold)


def candidate_jaccard(candidates: pl.DataFrame, texts: "CompareTexts | pl.Series", n: int) -> np.ndarray:
    """Exact shingle Jaccard of each candidate pair, hashing only the documents the pairs name."""
    a, b = candidates["a"].to_numpy(), candidates["b"].to_numpy()
    involved, local = np.unique(np.concatenate([a, b]), return_inverse=True)
    return pair_jaccard(shingle_hashes(texts.gather(involved), n), local[: len(a)], local[len(a) :])


def pair_jaccard(hashes: ShingleHashes, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Jaccard of the shingle sets of documents a[i] and b[i], from sorted packed keys rather than Python sets.

    A key is (document or pair index, top 44 bits of the shingle hash): one sort makes each document's set
    distinct, a second sort of both sides' keys per pair finds the shared shingles as equal neighbours. Two
    shingles of a pair collide in 44 bits with odds about 1e-8, so this is exact Jaccard in practice. At most
    2**20 documents and pairs per call (`verified_edges` verifies in batches). Two empty sets have Jaccard 1.0.
    """
    n_docs = len(hashes.offsets) - 1
    if max(n_docs, len(a)) >= 1 << INDEX_BITS:
        raise ValueError(f"pair_jaccard takes fewer than 2**{INDEX_BITS} documents and pairs; pass them in batches")
    doc = np.repeat(np.arange(n_docs, dtype=np.uint64), np.diff(hashes.offsets))
    keys = np.sort((doc << np.uint64(HASH_BITS)) | (hashes.hashes >> np.uint64(INDEX_BITS)))
    distinct = np.ones(len(keys), dtype=bool)
    distinct[1:] = keys[1:] != keys[:-1]
    keys = keys[distinct]
    start = np.searchsorted(keys >> np.uint64(HASH_BITS), np.arange(n_docs + 1, dtype=np.uint64))
    size, low = np.diff(start), keys & np.uint64((1 << HASH_BITS) - 1)

    def side(docs: np.ndarray) -> np.ndarray:
        count = size[docs]
        pair = np.repeat(np.arange(len(docs), dtype=np.uint64), count)
        position = np.arange(count.sum()) + np.repeat(start[docs] - (np.cumsum(count) - count), count)
        return (pair << np.uint64(HASH_BITS)) | low[position]

    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    merged = np.sort(np.concatenate([side(a), side(b)]))
    shared = merged[1:][merged[1:] == merged[:-1]] >> np.uint64(HASH_BITS)
    inter = np.bincount(shared.astype(np.int64), minlength=len(a))
    union = size[a] + size[b] - inter
    return np.divide(inter, union, out=np.ones(len(a)), where=union > 0)


def jaccard(left: frozenset[str], right: frozenset[str]) -> float:
    """Jaccard of two string sets (two empty sets are identical)."""
    if not left and not right:
        return 1.0
    return len(left & right) / len(left | right)
