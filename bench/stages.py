"""Seconds per stage of one `prepare` run, summed over shards: where the time goes, for issue-sized tables.

Runs the pipeline in this process with one worker (`LocalBackend(1)`) and one polars thread
(POLARS_MAX_THREADS=1 unless set), so every stage's time is its whole cost on one core and the shard stages'
times add up over the shards; the end-to-end figure with the worker pool is bench/e2e.py's. Each stage's time
comes from the debug line pipeline.apply logs for it.

It then times bench/e2e.py's tokenizer-only pass over the same corpus and prints the floor that work sets on
bench.e2e's ratio: on C cores, with no overhead and every stage spread perfectly, a run cannot take less than
the one-core total / C. A ratio target below that floor needs less work, not better parallelism.

    python -m bench.stages CORPUS [--out DIR]
"""

import argparse
import logging
import os
import resource
import shutil
import time
from collections import defaultdict
from pathlib import Path

from bench.e2e import OUT, child_tiktoken


class StageTimes(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seconds: dict[str, float] = defaultdict(float)

    def emit(self, record: logging.LogRecord) -> None:
        stage = getattr(record, "stage", None)
        if stage is not None:
            self.seconds[stage] += float(record.args[1])  # type: ignore[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--out", type=Path, default=OUT / "stages-run")
    args = parser.parse_args()
    os.environ.setdefault("POLARS_MAX_THREADS", "1")  # before polars is imported: one core, its threads too
    from pipeline.config import PrepareConfig
    from pipeline.executor import LocalBackend, run_stages
    from pipeline.tokens import load_encoding

    times = StageTimes()
    logger = logging.getLogger("pipeline.apply")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(times)
    load_encoding("o200k_base")  # a one-off cost, not a stage's
    shutil.rmtree(args.out, ignore_errors=True)
    backend = LocalBackend(1)
    started = time.perf_counter()
    run_stages(PrepareConfig(sources=[str(args.corpus)], out=str(args.out)), backend, lambda what, done, total: None)
    total = time.perf_counter() - started
    print("| stage | seconds |\n|---|---:|")
    for stage, seconds in times.seconds.items():
        print(f"| {stage} | {seconds:.2f} |")
    other = total - sum(times.seconds.values())
    print(f"| (planning, merging, shard writes) | {other:.2f} |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"| **total** (peak RSS {peak} MB) | **{total:.2f}** |")
    tokenizer = child_tiktoken(args.corpus)["seconds"]
    print(f"\npolars threads {os.environ['POLARS_MAX_THREADS']}; tokenizer-only pass {tokenizer:.2f} s")
    print(f"one-core total / tokenizer-only: {total / tokenizer:.1f}x")
    for cores in sorted({2, os.cpu_count() or 1}):
        print(f"floor of bench.e2e's ratio on {cores} cores: {total / cores / tokenizer:.1f}x")


if __name__ == "__main__":
    main()
