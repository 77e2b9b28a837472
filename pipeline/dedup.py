"""Exact and near-duplicate removal: normalised-text equality, then MinHash LSH verified by exact Jaccard.

Near duplicates are found in three steps that scale as a shuffle rather than one in-memory index:
signatures per example (pipeline.minhash: vectorised, datasketch-compatible, computed in batches of
documents), candidate pairs from a group-by per band on its band hash, and an exact Jaccard check of
each candidate on shingle hashes before connected components form clusters. Bands and
rows default to 16 x 8, which finds >99% of pairs at Jaccard 0.8 where datasketch's own optimiser
(9 x 13) finds 79% (shared/reference/dedup.md). In every cluster the first example in a deterministic
order is kept; each removed row names the kept id.
"""

from collections.abc import Iterator

import numpy as np
import polars as pl
from datasketch import MinHash
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from pipeline.config import DedupConfig
from pipeline.minhash import normalise, pair_jaccard, shingle_hashes, shingles, signatures
from pipeline.ngrams import text_chunks
from pipeline.records import Split, answer_text, prompt_text, reject

MAX_BUCKET_PAIRS = 64  # buckets larger than this pair every member with the first only (still connected)
VERIFY_PAIRS = 20_000  # candidate pairs verified together (pair_jaccard takes < 2**20): tens of MB of hashes


def compared_text(which: str) -> pl.Expr:
    """The text two examples are compared on; a pair's rejected side counts too (same chosen, other rejected:
    another lesson, not a duplicate)."""
    prompt, rejected = prompt_text().fill_null(""), pl.col("rejected").fill_null("")
    answer = pl.concat_str(answer_text().fill_null(""), rejected, separator="\n")
    text = {"prompt": prompt, "answer": answer, "both": pl.concat_str(prompt, answer, separator="\n")}[which]
    return normalise(text)


def quality_score() -> pl.Expr:
    """Higher for a fuller, less repetitive answer: distinct-word share times log(1 + words). A
    `quality_score` column (an imported rating, a judge's score) takes precedence when present."""
    words = answer_text().fill_null("").str.to_lowercase().str.extract_all(r"\w+")
    count = words.list.len()
    return (words.list.n_unique() / pl.max_horizontal(count, 1)) * (count + 1).log()


def in_keep_order(examples: pl.DataFrame, keep: str = "first") -> pl.DataFrame:
    """The deterministic order that decides which member of a duplicate group is kept: the first in it.

    "first" keeps the earliest by source path and position; "longest" the longest answer; "best_quality"
    the highest quality score. Ties always fall back to the "first" order, so runs are reproducible.
    """
    base = ["source", "span_start", "id"]
    if keep == "first":
        return examples.sort(base, nulls_last=True, maintain_order=True)
    if keep == "longest":
        key = answer_text().fill_null("").str.len_chars()
    else:
        key = pl.col("quality_score").cast(pl.Float64) if "quality_score" in examples.columns else quality_score()
    ranked = examples.with_columns(_keep=key.fill_null(float("-inf")) if keep != "longest" else key)
    return ranked.sort(
        ["_keep", *base], descending=[True, False, False, False], nulls_last=True, maintain_order=True
    ).drop("_keep")


class CompareTexts:
    """The compared text of each row of a frame, made a chunk or a few gathered rows at a time: at a million
    examples the whole column of normalised texts would take more memory than the examples themselves."""

    def __init__(self, frame: pl.DataFrame, which: str) -> None:
        self.frame, self.expr = frame, compared_text(which)

    def __len__(self) -> int:
        return self.frame.height

    def gather(self, rows: np.ndarray) -> pl.Series:
        rows_first = self.frame.select(pl.all().gather(pl.Series(rows, dtype=pl.UInt32)))  # not the whole column
        return rows_first.select(self.expr).to_series()

    def chunks(self) -> Iterator[tuple[int, pl.Series]]:
        return text_chunks(self.frame, self.expr)


def text_candidates(texts: "CompareTexts | pl.Series", cfg: DedupConfig) -> pl.DataFrame:
    """Candidate pairs of the texts; signatures are made a chunk at a time and kept only as band hashes."""
    chunks = [(0, texts)] if isinstance(texts, pl.Series) else texts.chunks()
    folded = [
        band_hashes(signatures(chunk, cfg.ngram, cfg.num_perm, cfg.seed), cfg.bands, cfg.rows) for _, chunk in chunks
    ]
    return band_pairs(np.concatenate(folded) if folded else np.zeros((0, cfg.bands), dtype=np.uint64))


def text_keys(examples: pl.DataFrame, which: str) -> pl.DataFrame:
    """Two independent 64-bit hashes of each compared text, chunk by chunk: equal texts, equal keys; two
    different texts share both with odds about 2**-128, so no text needs keeping to compare."""
    keys = [pl.DataFrame(schema={"_key1": pl.UInt64, "_key2": pl.UInt64})]
    for _, texts in text_chunks(examples, compared_text(which)):
        keys.append(pl.DataFrame({"_key1": texts.hash(1), "_key2": texts.hash(2)}))
    return pl.concat(keys)


def drop_exact_duplicates(examples: pl.DataFrame, cfg: DedupConfig) -> Split:
    if not cfg.exact:
        return Split(examples, reject(examples.clear(), "dedup", "exact_duplicate"))
    ordered = in_keep_order(examples, cfg.keep)
    flagged = pl.concat([ordered, text_keys(ordered, cfg.text)], how="horizontal")
    flagged = flagged.with_columns(_kept=pl.col("id").first().over("_key1", "_key2")).drop("_key1", "_key2")
    duplicate = pl.col("_kept") != pl.col("id")
    rejected = reject(flagged.filter(duplicate), "dedup", "exact_duplicate", pl.format("same text as {}", "_kept"))
    return Split(flagged.filter(~duplicate).drop("_kept"), rejected.drop("_kept"))


def drop_near_duplicates(examples: pl.DataFrame, cfg: DedupConfig) -> Split:
    """Keep one example per near-duplicate cluster; kept rows gain `cluster_id` (the kept id of their cluster)."""
    ordered = in_keep_order(examples, cfg.keep)
    if not cfg.near or ordered.height < 2:
        kept = ordered.with_columns(cluster_id=pl.col("id"))
        return Split(kept, reject(kept.clear(), "dedup", "near_duplicate"))
    root, similarity = near_duplicate_roots(CompareTexts(ordered, cfg.text), cfg)
    ids = ordered["id"]
    flagged = ordered.with_columns(
        cluster_id=ids.gather(root),
        _similarity=pl.Series(similarity, dtype=pl.Float64),
    )
    duplicate = pl.col("cluster_id") != pl.col("id")
    detail = pl.format("near-duplicate of {} (Jaccard {})", "cluster_id", pl.col("_similarity").round(3))
    rejected = reject(flagged.filter(duplicate), "dedup", "near_duplicate", detail)
    return Split(flagged.filter(~duplicate).drop("_similarity"), rejected.drop("_similarity"))


def near_duplicate_roots(texts: "CompareTexts | pl.Series", cfg: DedupConfig) -> tuple[np.ndarray, np.ndarray]:
    """For each normalised text: the first row of its near-duplicate cluster and its best verified Jaccard.

    Memory stays bounded by the band hashes (n x bands uint64) plus one chunk of texts: signatures are
    computed chunk by chunk, and only candidates' texts are made again to verify.
    """
    candidates = text_candidates(texts, cfg)
    return cluster_roots(verified_edges(candidates, texts, cfg.ngram, cfg.threshold), len(texts))


def shingle_set(text: str, n: int) -> frozenset[str]:
    """Word n-grams of a normalised text as strings; a text shorter than n words is one shingle, an empty text none."""
    return frozenset(shingles(text, n))


def minhash_signatures(shingles: list[frozenset[str]], cfg: DedupConfig) -> np.ndarray:
    """(n, num_perm) uint64 datasketch MinHash values (sha1) of arbitrary string shingles, for small sets such as
    preference questions; documents go through `pipeline.minhash.signatures`."""
    encoded = [[shingle.encode("utf-8") for shingle in sorted(group)] for group in shingles]
    sketches = MinHash.bulk(encoded, num_perm=cfg.num_perm, seed=cfg.seed)
    return np.vstack([sketch.hashvalues for sketch in sketches]).astype(np.uint64)


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


def jaccard(left: frozenset[str], right: frozenset[str]) -> float:
    """Jaccard of two string sets (two empty sets are identical)."""
    if not left and not right:
        return 1.0
    return len(left & right) / len(left | right)


def cluster_roots(edges: pl.DataFrame, n: int) -> tuple[np.ndarray, np.ndarray]:
    """For each row: the first row (lowest index) of its connected component, and its best edge Jaccard."""
    a, b = edges["a"].to_numpy(), edges["b"].to_numpy()
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    first_of_label = pl.DataFrame({"label": labels}).with_row_index("row").group_by("label").agg(pl.col("row").min())
    root = (
        pl.DataFrame({"label": labels})
        .join(first_of_label, on="label", how="left", maintain_order="left")["row"]
        .to_numpy()
        .astype(np.int64)
    )
    best = np.zeros(n)
    if len(a):
        np.maximum.at(best, a, edges["jaccard"].to_numpy())
        np.maximum.at(best, b, edges["jaccard"].to_numpy())
    return root, best
