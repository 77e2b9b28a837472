"""Near-duplicate finding against datasketch and rensa on a corpus with planted near-duplicates.

    python -m bench.dedup --docs 50000 [--peer-docs 50000] [--repeat 3] [--json]

The corpus (bench/near_duplicates.py) is written once to bench/out/dedup-<docs>/. Then two fresh
processes run one after the other, both on one thread (POLARS_MAX_THREADS, RAYON_NUM_THREADS,
OMP_NUM_THREADS = 1):

- `pipeline`: ftprep's near-duplicate path over all documents (normalise, signatures in batches,
  16 x 8 band group-by, exact Jaccard of candidates, connected components), phase by phase, with the
  process's peak RSS. Recall and precision are computed here afterwards from its verified pairs.
- `peers` (bench/dedup_peers.py): on the first --peer-docs documents, signature throughput of ours,
  datasketch `update_batch` per document (default sha1; also with permutations shared across
  documents) and rensa, from the same normalised texts; then LSH + clusters from the same signatures,
  ours against datasketch `MinHashLSH` with the same 16 x 8 bands, and the recall datasketch's own
  choice of bands for threshold 0.8 gives. Medians of --repeat interleaved rounds.

Recall: planted pairs with true Jaccard >= 0.8 whose two documents end in one cluster. Precision:
verified pairs whose true Jaccard is >= 0.8. Truth is the generator's exact word 5-gram Jaccard for
planted pairs; any other verified pair is checked here with Python sets over the document's words.
The machine's load average is recorded: on a shared machine compare ratios within one run.
"""

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import polars as pl

OUT = Path(__file__).resolve().parent / "out"
ONE_THREAD = {"POLARS_MAX_THREADS": "1", "RAYON_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
T = TypeVar("T")
WORDS = re.compile(r"[a-z]+")  # the generator's words are lowercase letters; capitals and punctuation decorate


def write_corpus(docs: int) -> Path:
    from bench.near_duplicates import batches

    folder = OUT / f"dedup-{docs}"
    if (folder / "truth.parquet").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    planted = []
    for number, batch in enumerate(batches(docs)):
        batch.texts.write_parquet(folder / f"texts-{number:04d}.parquet")
        planted.append(batch.planted)
    pl.concat(planted).write_parquet(folder / "truth.parquet")
    return folder


def timed(seconds: dict[str, float], name: str, step: Callable[..., T], *args: object) -> T:
    started = time.perf_counter()
    value = step(*args)
    seconds[name] = time.perf_counter() - started
    return value


def child_pipeline(folder: Path) -> dict:
    """The steps of `pipeline.similarity.clusters.near_duplicate_roots`, timed one by one, on every document."""
    from pipeline.config import DedupConfig
    from pipeline.similarity.clusters import cluster_roots
    from pipeline.similarity.jaccard import verified_edges
    from pipeline.similarity.lsh import candidate_pairs
    from pipeline.similarity.minhash import signatures
    from pipeline.similarity.normal import normalise

    cfg, seconds, load_before = DedupConfig(), {}, os.getloadavg()[0]
    scan = pl.scan_parquet(folder / "texts-*.parquet").select(normalise(pl.col("text")))
    texts = timed(seconds, "read_and_normalise", lambda: scan.collect().to_series())
    matrix = timed(seconds, "signatures", signatures, texts, cfg.ngram, cfg.num_perm, cfg.seed)
    candidates = timed(seconds, "lsh", candidate_pairs, matrix, cfg.bands, cfg.rows)
    edges = timed(seconds, "verify", verified_edges, candidates, texts, cfg.ngram, cfg.threshold)
    root, _ = timed(seconds, "clusters", cluster_roots, edges, len(texts))
    edges.write_parquet(folder / "edges.parquet")
    np.save(folder / "root.npy", root)
    removed = int((root != np.arange(len(root))).sum())
    return {
        "seconds": seconds,
        "candidates": candidates.height,
        "edges": edges.height,
        "removed": removed,
        "load_average_1min_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def in_child(kind: str, folder: Path, *extra: str) -> dict:
    command = [sys.executable, "-m", kind, "--child", "--folder", str(folder), *extra]
    env = {**os.environ, **ONE_THREAD}
    result = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    return json.loads(result.stdout.strip().splitlines()[-1])


def true_jaccard(left: str, right: str, n: int = 5) -> float:
    def grams(text: str) -> set[tuple[str, ...]]:
        words = WORDS.findall(text.lower())
        return {tuple(words[i : i + n]) for i in range(max(len(words) - n + 1, 1))}

    a, b = grams(left), grams(right)
    return len(a & b) / len(a | b)


def quality(folder: Path, threshold: float = 0.8) -> dict:
    """Recall over planted pairs at or above the threshold (same cluster), precision over verified pairs."""
    truth = pl.read_parquet(folder / "truth.parquet")
    edges = pl.read_parquet(folder / "edges.parquet")
    root = np.load(folder / "root.npy")
    true = truth.filter(pl.col("jaccard") >= threshold)
    same_cluster = root[true["a"].to_numpy()] == root[true["b"].to_numpy()]
    judged = edges.join(truth.rename({"jaccard": "true"}), on=["a", "b"], how="left")
    unknown = judged.filter(pl.col("true").is_null())
    texts = pl.scan_parquet(folder / "texts-*.parquet").select("text").collect()["text"]
    others = [true_jaccard(texts[a], texts[b]) for a, b in unknown.select("a", "b").iter_rows()]
    known = judged["true"].drop_nulls().to_numpy()
    correct = int((known >= threshold).sum() + sum(j >= threshold for j in others))
    return {
        "planted_pairs": truth.height,
        "planted_at_or_above_threshold": true.height,
        "recall": round(float(same_cluster.mean()), 4),
        "verified_pairs": edges.height,
        "verified_pairs_not_planted": unknown.height,
        "precision": round(correct / max(edges.height, 1), 4),
    }


def measure(docs: int, peer_docs: int, repeat: int) -> dict:
    folder = write_corpus(docs)
    pipeline = in_child("bench.dedup", folder)
    peers = in_child("bench.dedup_peers", folder, "--docs", str(min(peer_docs, docs)), "--repeat", str(repeat))
    mb = pl.scan_parquet(folder / "texts-*.parquet").select(pl.col("text").str.len_bytes().sum()).collect().item()
    seconds = pipeline["seconds"]
    return {
        "docs": docs,
        "mb": round(mb / 1e6, 1),
        "threads": 1,
        **peers["ratios"],
        **quality(folder),
        "datasketch_default_recall": peers["datasketch_default_recall"],
        "peak_rss_mb": pipeline["peak_rss_mb"],
        "pipeline_load_average_1min_before_after": pipeline["load_average_1min_before_after"],
        "pipeline_seconds": {name: round(value, 2) for name, value in seconds.items()},
        "pipeline_total_seconds": round(sum(seconds.values()), 2),
        "pipeline_mb_per_s": round(mb / 1e6 / sum(seconds.values()), 1),
        "candidates": pipeline["candidates"],
        "removed": pipeline["removed"],
        "peers": peers["detail"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=50_000)
    parser.add_argument("--peer-docs", type=int, default=50_000, help="documents the peers are compared on")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = child_pipeline(args.folder)
        result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        print(json.dumps(result))
        return
    result = measure(args.docs, args.peer_docs, args.repeat)
    print(json.dumps(result, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
