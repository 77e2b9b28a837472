"""Near-duplicate clusters: LSH candidates, verified by exact Jaccard, joined into connected components."""

import numpy as np
import polars as pl
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from pipeline.config import DedupConfig
from pipeline.similarity.compare import CompareTexts
from pipeline.similarity.jaccard import verified_edges
from pipeline.similarity.lsh import text_candidates


def near_duplicate_roots(texts: "CompareTexts | pl.Series", cfg: DedupConfig) -> tuple[np.ndarray, np.ndarray]:
    """For each normalised text: the first row of its near-duplicate cluster and its best verified Jaccard.

    Memory stays bounded by the band hashes (n x bands uint64) plus one chunk of texts: signatures are
    computed chunk by chunk, and only candidates' texts are made again to verify.
    """
    candidates = text_candidates(texts, cfg)
    return cluster_roots(verified_edges(candidates, texts, cfg.ngram, cfg.threshold), len(texts))


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
