"""Exact and near-duplicate removal: normalised-text equality, then MinHash LSH verified by exact Jaccard.

Near duplicates are found in three steps that scale as a shuffle rather than one in-memory index
(pipeline/similarity/): signatures per example (vectorised, datasketch-compatible, computed in batches
of documents), candidate pairs from a group-by per band on its band hash, and an exact Jaccard check of
each candidate on shingle hashes before connected components form clusters. Bands and
rows default to 16 x 8, which finds >99% of pairs at Jaccard 0.8 where datasketch's own optimiser
(9 x 13) finds about 80% (bench/RESULTS.md). In every cluster the first example in a deterministic
order is kept; each removed row names the kept id.
"""

import polars as pl

from pipeline.config import DedupConfig
from pipeline.partitions import IN_PROCESS, Mapper
from pipeline.records import Split, answer_text, reject
from pipeline.similarity.clusters import cluster_roots, near_duplicate_roots
from pipeline.similarity.compare import CompareTexts, text_keys
from pipeline.similarity.jaccard import verified_edges
from pipeline.similarity.partitioned import candidates_over


def quality_score() -> pl.Expr:
    """Higher for a fuller, less repetitive answer: distinct-word share times log(1 + words). A
    `quality_score` column takes precedence when a caller provides one (no ftprep stage does)."""
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
        return Split(examples, reject(examples.clear(), "exact_duplicate"))
    ordered = in_keep_order(examples, cfg.keep)
    flagged = pl.concat([ordered, text_keys(ordered, cfg.text)], how="horizontal")
    flagged = flagged.with_columns(_kept=pl.col("id").first().over("_key1", "_key2")).drop("_key1", "_key2")
    duplicate = pl.col("_kept") != pl.col("id")
    rejected = reject(flagged.filter(duplicate), "exact_duplicate", pl.format("same text as {}", "_kept"))
    return Split(flagged.filter(~duplicate).drop("_kept"), rejected.drop("_kept"))


def drop_near_duplicates(examples: pl.DataFrame, cfg: DedupConfig, mapper: Mapper = IN_PROCESS) -> Split:
    """Keep one example per near-duplicate cluster; kept rows gain `cluster_id` (the kept id of their cluster).

    Under a mapper of several partitions, the signatures and the band buckets are made on its workers
    (pipeline.similarity.partitioned); verification and the clusters are made here."""
    ordered = in_keep_order(examples, cfg.keep)
    if not cfg.near or ordered.height < 2:
        kept = ordered.with_columns(cluster_id=pl.col("id"))
        return Split(kept, reject(kept.clear(), "near_duplicate"))
    texts = CompareTexts(ordered, cfg.text)
    if mapper.whole:
        root, similarity = near_duplicate_roots(texts, cfg)
    else:
        candidates = candidates_over(ordered, cfg.text, cfg, mapper, "near")
        root, similarity = cluster_roots(verified_edges(candidates, texts, cfg.ngram, cfg.threshold), len(texts))
    ids = ordered["id"]
    flagged = ordered.with_columns(
        cluster_id=ids.gather(root),
        _similarity=pl.Series(similarity, dtype=pl.Float64),
    )
    duplicate = pl.col("cluster_id") != pl.col("id")
    detail = pl.format("near-duplicate of {} (Jaccard {})", "cluster_id", pl.col("_similarity").round(3))
    rejected = reject(flagged.filter(duplicate), "near_duplicate", detail)
    return Split(flagged.filter(~duplicate).drop("_similarity"), rejected.drop("_similarity"))
