"""Peers for bench/dedup.py, in one child process on one thread: signatures and LSH from the same texts.

Every contender starts from the same normalised texts in memory (normalising is common preprocessing
and untimed here; bench/dedup.py times it inside ftprep's pipeline). datasketch and rensa get word
5-gram shingle sets built in Python, as their users build them; that building is inside their timing,
as tokenising and hashing are inside ours.
"""

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
import rensa
from datasketch import LeanMinHash, MinHash, MinHashLSH

from pipeline.similarity.clusters import cluster_roots
from pipeline.similarity.jaccard import verified_edges
from pipeline.similarity.lsh import candidate_pairs
from pipeline.similarity.minhash import signatures
from pipeline.similarity.normal import normalise

NUM_PERM, SEED, N, BANDS, ROWS, THRESHOLD = 128, 1, 5, 16, 8, 0.8
RENSA_BATCH = 2_000


def python_shingles(text: str) -> set[str]:
    words = text.split()
    if len(words) < N:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + N]) for i in range(len(words) - N + 1)}


def datasketch_update_batch(texts: list[str]) -> list[np.ndarray]:
    """The common per-document use: a MinHash per text, update_batch with the default sha1 hash."""
    values = []
    for text in texts:
        sketch = MinHash(num_perm=NUM_PERM, seed=SEED)
        sketch.update_batch([shingle.encode() for shingle in python_shingles(text)])
        values.append(sketch.hashvalues)
    return values


def datasketch_shared_permutations(texts: list[str]) -> list[np.ndarray]:
    """Kinder to datasketch: permutations drawn once and passed to every MinHash (as `MinHash.bulk` does)."""
    permutations = MinHash(num_perm=NUM_PERM, seed=SEED).permutations
    values = []
    for text in texts:
        sketch = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=permutations, scheme="affine32")
        sketch.update_batch([shingle.encode() for shingle in python_shingles(text)])
        values.append(sketch.hashvalues)
    return values


def rensa_matrix(texts: list[str]) -> list:
    return [
        rensa.RMinHash.digest_matrix_from_token_sets(
            [list(python_shingles(text)) for text in texts[low : low + RENSA_BATCH]], NUM_PERM, SEED
        )
        for low in range(0, len(texts), RENSA_BATCH)
    ]


def median_seconds(contenders: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median wall time of each contender over `repeat` rounds; rounds interleave the contenders so that a
    change in machine load during the run touches all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, run in contenders.items():
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def pairs_frame(pairs: set[tuple[int, int]]) -> pl.DataFrame:
    return pl.DataFrame(sorted(pairs), schema={"a": pl.Int64, "b": pl.Int64}, orient="row")


def ours_lsh(matrix: np.ndarray) -> pl.DataFrame:
    candidates = candidate_pairs(matrix, BANDS, ROWS)
    cluster_roots(candidates.with_columns(jaccard=pl.lit(1.0)), len(matrix))
    return candidates


def datasketch_lsh(matrix: np.ndarray, **options: object) -> pl.DataFrame:
    """MinHashLSH over the same signatures: insert all (one insertion session), query all, then the same clusters."""
    index = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, **options)
    sketches = [LeanMinHash(seed=SEED, hashvalues=row, scheme="affine32") for row in matrix]
    with index.insertion_session() as session:
        for key, sketch in enumerate(sketches):
            session.insert(key, sketch, check_duplication=False)
    pairs = {(min(key, other), max(key, other)) for key, sketch in enumerate(sketches) for other in index.query(sketch)}
    candidates = pairs_frame({(a, b) for a, b in pairs if a != b})
    cluster_roots(candidates.with_columns(jaccard=pl.lit(1.0)), len(matrix))
    return candidates


def recall(candidates: pl.DataFrame, texts: pl.Series, truth: pl.DataFrame) -> float:
    """Share of planted pairs at or above the threshold that end in one cluster after exact verification."""
    root, _ = cluster_roots(verified_edges(candidates, texts, N, THRESHOLD), len(texts))
    true = truth.filter(pl.col("jaccard") >= THRESHOLD)
    return round(float((root[true["a"].to_numpy()] == root[true["b"].to_numpy()]).mean()), 4)


def child(folder: Path, docs: int, repeat: int) -> dict:
    raw = pl.scan_parquet(folder / "texts-*.parquet").head(docs).collect()
    mb = raw["text"].str.len_bytes().sum() / 1e6
    texts = raw.select(normalise(pl.col("text"))).to_series()
    words = texts.to_list()
    truth = pl.read_parquet(folder / "truth.parquet").filter(pl.col("b") < docs)
    contenders = {
        "ours": lambda: signatures(texts, N, NUM_PERM, SEED),
        "datasketch_update_batch": lambda: datasketch_update_batch(words),
        "datasketch_shared_permutations": lambda: datasketch_shared_permutations(words),
        "rensa": lambda: rensa_matrix(words),
    }
    load_before = os.getloadavg()[0]
    seconds = median_seconds(contenders, repeat)
    matrix = signatures(texts, N, NUM_PERM, SEED)
    lsh_seconds = median_seconds(
        {
            "ours_16x8": lambda: ours_lsh(matrix),
            "datasketch_16x8": lambda: datasketch_lsh(matrix, params=(BANDS, ROWS)),
        },
        repeat,
    )
    load_after = os.getloadavg()[0]
    default = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    ours_candidates, theirs = ours_lsh(matrix), datasketch_lsh(matrix, params=(BANDS, ROWS))
    default_candidates = datasketch_lsh(matrix)
    return {
        "ratios": {
            "signatures_x_datasketch": round(seconds["datasketch_update_batch"] / seconds["ours"], 1),
            "signatures_x_rensa": round(seconds["rensa"] / seconds["ours"], 1),
            "lsh_x_datasketch": round(lsh_seconds["datasketch_16x8"] / lsh_seconds["ours_16x8"], 1),
        },
        "datasketch_default_recall": recall(default_candidates, texts, truth),
        "detail": {
            "docs": docs,
            "mb": round(mb, 1),
            "repeat": repeat,
            "load_average_1min_before_after": [round(load_before, 2), round(load_after, 2)],
            "signature_seconds": {name: round(value, 3) for name, value in seconds.items()},
            "signature_mb_per_s": {name: round(mb / value, 1) for name, value in seconds.items()},
            "lsh_seconds": {name: round(value, 3) for name, value in lsh_seconds.items()},
            "lsh_same_candidates": ours_candidates.equals(theirs),
            "lsh_candidates": ours_candidates.height,
            "ours_16x8_recall": recall(ours_candidates, texts, truth),
            "datasketch_default_bands_rows": f"{default.b}x{default.r}",
            "datasketch_default_candidates": default_candidates.height,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--docs", type=int, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(child(args.folder, args.docs, args.repeat)))


if __name__ == "__main__":
    main()
