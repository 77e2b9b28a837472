"""MinHash LSH: candidate pairs from a group-by per band on its band hash, in bounded memory.

Bands and rows default to 16 x 8 (DedupConfig), which finds >99% of pairs at Jaccard 0.8 where
datasketch's own optimiser (9 x 13) finds about 80% (bench/RESULTS.md). Candidates are only
proposals: jaccard.verified_edges checks each one exactly.
"""

import numpy as np
import polars as pl

from pipeline.config import DedupConfig
from pipeline.similarity.compare import CompareTexts
from pipeline.similarity.minhash import signatures

MAX_BUCKET_PAIRS = 64  # buckets larger than this pair every member with the first only (still connected)


def text_candidates(texts: "CompareTexts | pl.Series", cfg: DedupConfig) -> pl.DataFrame:
    """Candidate pairs of the texts; signatures are made a chunk at a time and kept only as band hashes."""
    chunks = [(0, texts)] if isinstance(texts, pl.Series) else texts.chunks()
    return band_pairs(stacked([text_band_hashes(chunk, cfg) for _, chunk in chunks], cfg))


def text_band_hashes(texts: pl.Series, cfg: DedupConfig) -> np.ndarray:
    """(len(texts), bands): the band hashes of each compared text's MinHash signature."""
    return band_hashes(signatures(texts, cfg.ngram, cfg.num_perm, cfg.seed), cfg.bands, cfg.rows)


def stacked(folded: list[np.ndarray], cfg: DedupConfig) -> np.ndarray:
    """Band hashes of consecutive row ranges as one (rows, bands) array; none is an empty one."""
    return np.concatenate([np.zeros((0, cfg.bands), dtype=np.uint64), *folded])


def candidate_pairs(signatures: np.ndarray, bands: int, rows: int) -> pl.DataFrame:
    """Pairs (a < b) sharing at least one band of their MinHash signatures."""
    return band_pairs(band_hashes(signatures, bands, rows))


def band_hashes(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n, bands) uint64: each band's `rows` signature values folded into one hash (a quarter of the
    signature's memory at 16 x 8, which is all that finding candidates needs)."""
    multipliers = np.array([0x9E3779B97F4A7C15 ** (j + 1) % 2**64 for j in range(rows)], dtype=np.uint64)
    folded = np.empty((signatures.shape[0], bands), dtype=np.uint64)
    for band in range(bands):
        folded[:, band] = (signatures[:, band * rows : (band + 1) * rows] * multipliers).sum(axis=1, dtype=np.uint64)
    return folded


def band_pairs(folded: np.ndarray) -> pl.DataFrame:
    """Pairs (a < b) with an equal hash in at least one band, found with a group-by on each band's hash.

    One band at a time, so the group-by holds n rows rather than n x bands; buckets become pairs with joins,
    not a Python loop, so boilerplate-heavy corpora with many buckets stay cheap.
    """
    n = folded.shape[0]
    buckets = []
    for band in range(folded.shape[1]):
        table = pl.DataFrame({"row": np.arange(n, dtype=np.int64), "hash": folded[:, band]})
        buckets.append(table.group_by("hash").agg("row").filter(pl.col("row").list.len() > 1).select("row"))
    if not buckets:
        return pl.DataFrame(schema={"a": pl.Int64, "b": pl.Int64})
    return bucket_pairs(pl.concat(buckets))


def bucket_pairs(buckets: pl.DataFrame) -> pl.DataFrame:
    """Every pair within a bucket; a bucket above MAX_BUCKET_PAIRS pairs its first row with the others only."""
    members = (
        buckets.with_row_index("bucket")
        .with_columns(size=pl.col("row").list.len(), first=pl.col("row").list.min())
        .explode("row")
    )
    small = members.filter(pl.col("size") <= MAX_BUCKET_PAIRS).select("bucket", a="row")
    within = small.join(small.rename({"a": "b"}), on="bucket").filter(pl.col("a") < pl.col("b"))
    star = members.filter((pl.col("size") > MAX_BUCKET_PAIRS) & (pl.col("row") != pl.col("first")))
    pairs = pl.concat([within.select("a", "b"), star.select(a="first", b="row")])
    return pairs.unique().sort("a", "b")
