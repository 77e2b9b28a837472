"""End-to-end throughput and peak memory of `prepare` on synthetic corpora, next to the tokenizer bound.

For each size: the corpus is generated (bench/corpus.py), then two fresh processes run one after the
other on the same files: the whole pipeline as `ftprep prepare --runner local` runs it (shards, then the
global stages; no Prefect: its fixed cost is measured separately) and a tiktoken-only pass that encodes
every document's text once, the bound no pipeline that counts tokens can beat. Each child reports its
own wall time and peak RSS, and the pipeline's child also the peak of its RSS plus its worker processes'
(pipeline.pool), sampled every 0.2 s: what the machine must hold. (RUSAGE_CHILDREN cannot say it: a
spawned worker is forked before it executes Python, and its high-water mark is the parent's RSS then.)
The pipeline's child also reports the CPU seconds of the run, its own and its workers' (reaped when the
run closes its pool): the work done, which a shared machine does not change the way it changes wall time
(in one sitting, runs of the same code at a million examples took 84-105 s).

    python -m bench.e2e --examples 10000 100000 [--json]
"""

import argparse
import json
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.memory import status_mb, tree

OUT = Path(__file__).resolve().parent / "out"


class TreeRss(threading.Thread):
    """The RSS of this process and every process below it, at most, sampled every 0.2 s."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_mb, self.stopped = 0.0, False

    def run(self) -> None:
        while not self.stopped:
            self.peak_mb = max(self.peak_mb, sum(status_mb(pid) for pid in tree("self")))
            time.sleep(0.2)


def child_pipeline(corpus: Path, out: Path) -> dict:
    from pipeline.config import PrepareConfig
    from pipeline.executor import execute
    from pipeline.tokens import load_encoding

    load_encoding("o200k_base")  # loading the BPE file is a one-off cost, not throughput
    cpu_before = cpu_seconds(resource.RUSAGE_SELF)
    sampler = TreeRss()
    sampler.start()
    started = time.perf_counter()
    shutil.rmtree(out, ignore_errors=True)  # a fresh run, not a resumed one
    report = execute(PrepareConfig(sources=[str(corpus)], out=str(out)))
    seconds = time.perf_counter() - started
    sampler.stopped = True
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds(resource.RUSAGE_SELF) - cpu_before + cpu_seconds(resource.RUSAGE_CHILDREN),
        "examples": report["ledger"]["examples"]["generated"],
        "ledger": report["ledger"],
        "with_workers_peak_rss_mb": round(sampler.peak_mb),
    }


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def child_tiktoken(corpus: Path) -> dict:
    from pipeline.tokens import load_encoding

    encoding = load_encoding("o200k_base")
    texts = [path.read_text(encoding="utf-8") for path in sorted(corpus.rglob("*.md"))]
    started = time.perf_counter()
    tokens = sum(len(encoding.encode_ordinary(text)) for text in texts)
    return {"seconds": time.perf_counter() - started, "tokens": tokens, "bytes": sum(len(t.encode()) for t in texts)}


def in_child(kind: str, corpus: Path, out: Path) -> dict:
    command = [sys.executable, "-m", "bench.e2e", "--child", kind, "--corpus", str(corpus), "--out", str(out)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(examples: int) -> dict:
    from bench.corpus import write_corpus

    corpus = OUT / f"corpus-{examples}"
    if not corpus.exists():
        write_corpus(corpus, examples)
    pipeline = in_child("pipeline", corpus, OUT / f"run-{examples}")
    bound = in_child("tiktoken", corpus, OUT / "unused")
    return {
        "target_examples": examples,
        "examples": pipeline["examples"],
        "pipeline_seconds": round(pipeline["seconds"], 2),
        "pipeline_cpu_seconds": round(pipeline["cpu_seconds"], 1),
        "examples_per_second": round(pipeline["examples"] / pipeline["seconds"]),
        "pipeline_peak_rss_mb": pipeline["peak_rss_mb"],
        "pipeline_with_workers_peak_rss_mb": pipeline["with_workers_peak_rss_mb"],
        "tiktoken_seconds": round(bound["seconds"], 2),
        "tiktoken_peak_rss_mb": bound["peak_rss_mb"],
        "corpus_mb": round(bound["bytes"] / 1e6, 1),
        "pipeline_over_tiktoken": round(pipeline["seconds"] / bound["seconds"], 1),
        "ledger": pipeline["ledger"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=["pipeline", "tiktoken"], help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = child_pipeline(args.corpus, args.out) if args.child == "pipeline" else child_tiktoken(args.corpus)
        result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        print(json.dumps(result))
        return
    rows = [measure(examples) for examples in args.examples]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(
        f"{'examples':>9} {'seconds':>8} {'cpu s':>7} {'ex/s':>7} {'peak MB':>8} {'+workers MB':>11} "
        f"{'tiktoken s':>11} {'ratio':>6} {'corpus MB':>10}"
    )
    for row in rows:
        print(
            f"{row['examples']:>9} {row['pipeline_seconds']:>8} {row['pipeline_cpu_seconds']:>7} "
            f"{row['examples_per_second']:>7} "
            f"{row['pipeline_peak_rss_mb']:>8} {row['pipeline_with_workers_peak_rss_mb']:>11} "
            f"{row['tiktoken_seconds']:>11} {row['pipeline_over_tiktoken']:>6} {row['corpus_mb']:>10}"
        )


if __name__ == "__main__":
    main()
