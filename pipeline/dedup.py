"""Exact and near-duplicate removal: normalised-text equality, then MinHash LSH verified by exact Jaccard.

Near duplicates are found in three steps that scale as a shuffle rather than one in-memory index:
signatures per example (datasketch MinHash), candidate pairs from a group-by on (band, band hash), and
an exact shingle-Jaccard check of each candidate before connected components form clusters. Bands and
rows default to 16 x 8, which finds >99% of pairs at Jaccard 0.8 where datasketch's own optimiser
(9 x 13) finds 79% (shared/reference/dedup.md). In every cluster the first example in a deterministic
order is kept; each removed row names the kept id.
"""

import itertools
import re

import numpy as np
import polars as pl
from datasketch import MinHash
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from pipeline.config import DedupConfig
from pipeline.records import Split, answer_text, prompt_text, reject

WORD = re.compile(r"\w+")
MAX_BUCKET_PAIRS = 64  # buckets larger than this pair every member with the first only (still connected)


def compared_text(which: str) -> pl.Expr:
    """The text two examples are compared on; a pair's rejected side counts too (same chosen, other rejected:
    another lesson, not a duplicate)."""
    prompt, rejected = prompt_text().fill_null(""), pl.col("rejected").fill_null("")
    answer = pl.concat_str(answer_text().fill_null(""), rejected, separator="\n")
    text = {"prompt": prompt, "answer": answer, "both": pl.concat_str(prompt, answer, separator="\n")}[which]
    return text.str.to_lowercase().str.replace_all(r"[^\w\s]", " ").str.replace_all(r"\s+", " ").str.strip_chars()


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


def drop_exact_duplicates(examples: pl.DataFrame, cfg: DedupConfig) -> Split:
    if not cfg.exact:
        return Split(examples, reject(examples.clear(), "dedup", "exact_duplicate"))
    flagged = in_keep_order(examples, cfg.keep).with_columns(_key=compared_text(cfg.text))
    flagged = flagged.with_columns(_kept=pl.col("id").first().over("_key"))
    duplicate = pl.col("_kept") != pl.col("id")
    rejected = reject(flagged.filter(duplicate), "dedup", "exact_duplicate", pl.format("same text as {}", "_kept"))
    return Split(flagged.filter(~duplicate).drop("_key", "_kept"), rejected.drop("_key", "_kept"))


def drop_near_duplicates(examples: pl.DataFrame, cfg: DedupConfig) -> Split:
    """Keep one example per near-duplicate cluster; kept rows gain `cluster_id` (the kept id of their cluster)."""
    ordered = in_keep_order(examples, cfg.keep)
    if not cfg.near or ordered.height < 2:
        kept = ordered.with_columns(cluster_id=pl.col("id"))
        return Split(kept, reject(kept.clear(), "dedup", "near_duplicate"))
    shingles = [shingle_set(text, cfg.ngram) for text in ordered.select(compared_text(cfg.text)).to_series()]
    signatures = minhash_signatures(shingles, cfg)
    candidates = candidate_pairs(signatures, cfg.bands, cfg.rows)
    edges = verified_edges(candidates, shingles, cfg.threshold)
    root, similarity = cluster_roots(edges, ordered.height)
    ids = ordered["id"]
    flagged = ordered.with_columns(
        cluster_id=ids.gather(root),
        _similarity=pl.Series(similarity, dtype=pl.Float64),
    )
    duplicate = pl.col("cluster_id") != pl.col("id")
    detail = pl.format("near-duplicate of {} (Jaccard {})", "cluster_id", pl.col("_similarity").round(3))
    rejected = reject(flagged.filter(duplicate), "dedup", "near_duplicate", detail)
    return Split(flagged.filter(~duplicate).drop("_similarity"), rejected.drop("_similarity"))


def shingle_set(text: str, n: int) -> frozenset[str]:
    """Word n-grams; a text shorter than n words is one shingle, an empty text none."""
    words = WORD.findall(text)
    if len(words) < n:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))


def minhash_signatures(shingles: list[frozenset[str]], cfg: DedupConfig) -> np.ndarray:
    """(n, num_perm) uint64 matrix of datasketch MinHash values."""
    encoded = [[shingle.encode("utf-8") for shingle in sorted(group)] for group in shingles]
    sketches = MinHash.bulk(encoded, num_perm=cfg.num_perm, seed=cfg.seed)
    return np.vstack([sketch.hashvalues for sketch in sketches]).astype(np.uint64)


def candidate_pairs(signatures: np.ndarray, bands: int, rows: int) -> pl.DataFrame:
    """Pairs (a < b) sharing at least one band, found with a group-by on (band, band hash)."""
    n = signatures.shape[0]
    multipliers = np.array([0x9E3779B97F4A7C15 ** (j + 1) % 2**64 for j in range(rows)], dtype=np.uint64)
    band_hashes = [
        (signatures[:, band * rows : (band + 1) * rows] * multipliers).sum(axis=1, dtype=np.uint64)
        for band in range(bands)
    ]
    table = pl.DataFrame(
        {
            "row": np.tile(np.arange(n, dtype=np.int64), bands),
            "band": np.repeat(np.arange(bands, dtype=np.int32), n),
            "hash": np.concatenate(band_hashes),
        }
    )
    buckets = table.group_by("band", "hash").agg(pl.col("row").sort()).filter(pl.col("row").list.len() > 1)
    pairs = {pair for members in buckets["row"].to_list() for pair in bucket_pairs(members)}
    return pl.DataFrame(sorted(pairs), schema={"a": pl.Int64, "b": pl.Int64}, orient="row")


def bucket_pairs(members: list[int]) -> list[tuple[int, int]]:
    if len(members) > MAX_BUCKET_PAIRS:
        return [(members[0], other) for other in members[1:]]
    return list(itertools.combinations(members, 2))


def verified_edges(candidates: pl.DataFrame, shingles: list[frozenset[str]], threshold: float) -> pl.DataFrame:
    """Candidate pairs whose exact shingle Jaccard reaches the threshold (LSH only proposes)."""
    similarity = [jaccard(shingles[a], shingles[b]) for a, b in candidates.iter_rows()]
    edges = candidates.with_columns(jaccard=pl.Series(similarity, dtype=pl.Float64))
    return edges.filter(pl.col("jaccard") >= threshold)


def jaccard(left: frozenset[str], right: frozenset[str]) -> float:
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
