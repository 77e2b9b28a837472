"""Seconds and peak memory of each shard and each global-stage partition: the numbers docs/scaling.md uses.

A local run on two worker processes (pipeline.pool) in which every shard and every partition records its
own wall time and its own peak RSS: Linux resets a process's high-water mark when 5 is written to
/proc/self/clear_refs, so a long-lived worker measures each item on its own. The flow process reports its
peak at the end. Partitions hold at most `--rows` examples each.

The workers are spawned, so each imports this module again: it imports no part of the pipeline at its
top, and a worker loads only what its items need, as under the `ftprep` command (whose workers start from
flows/cli.py, about 70 MB). Importing pipeline.executor here made every worker carry the whole pipeline
(about 280 MB) and overstated the run's memory.

    python -m bench.partitions CORPUS OUT [--rows 50000] [--json]
"""

import argparse
import json
import resource
import shutil
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.memory import status_mb

if TYPE_CHECKING:
    from pipeline.config import PrepareConfig
    from pipeline.shards import Shard
    from pipeline.stages import Stage


def measured(function: Callable[..., Any], *args: Any) -> tuple[Any, float, float]:
    """In a worker: (result, seconds, peak RSS in MB of this item alone)."""
    Path("/proc/self/clear_refs").write_text("5")
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started, status_mb("self", "VmHWM")


def measuring_backend(rows: int, out: Path) -> "Measuring":
    """A LocalBackend of two workers that records each item's cost (made here: see the module's docstring)."""
    from pipeline.executor import LocalBackend

    class MeasuringLocal(Measuring, LocalBackend):
        pass

    backend = MeasuringLocal(2)
    backend.measure(rows, out)
    return backend


class Measuring:
    """What a LocalBackend does, with each shard's and partition's seconds and peak memory recorded."""

    shuffles = True  # what a cluster runs: each partition's cost is what docs/scaling.md sizes workers by
    pool: Any  # LocalBackend's
    close: Callable[[], None]  # LocalBackend's
    call: Callable[..., Any]  # LocalBackend's

    def measure(self, rows: int, out: Path) -> None:
        self.rows, self.out = rows, out
        self.costs: dict[tuple[str, str], list[tuple[int, float, float]]] = defaultdict(list)
        self.spilled: dict[str, int] = defaultdict(int)  # bytes of partition files a stage had on disk at most

    def width(self, rows: int, stage: "Stage") -> int:
        return max(2, -(-rows // self.rows))

    def map_shards(self, shards: "Iterable[Shard]", cfg: "PrepareConfig") -> Iterator[str]:
        from pipeline.shards import prepare_shard

        calls = ((prepare_shard, shard, cfg) for shard in shards)
        for folder, seconds, peak in self.pool.as_completed("prepare-shard", measured, calls):
            rows = json.loads((Path(folder) / "shard.json").read_text())["rows"]["examples"]
            self.costs[("shards", "prepare_shard")].append((rows, seconds, peak))
            yield folder

    def map(self, name: str, function: Callable[[Any], Any], items: Sequence[Any]) -> list:
        from pipeline.partitions import RowPart

        answers = self.pool.map(name, measure_item, [(function, item) for item in items])
        label = getattr(function, "func", function).__name__
        for item, (_, seconds, peak) in zip(items, answers, strict=True):
            self.costs[(name, label)].append((item.rows if isinstance(item, RowPart) else 0, seconds, peak))
        files = (self.out / "stages" / "global" / name).rglob("*.arrow")
        self.spilled[name] = max(self.spilled[name], sum(path.stat().st_size for path in files))
        return [result for result, _, _ in answers]


class Sampler(threading.Thread):
    """The flow process's RSS plus its workers', every 0.2 s: the run's real peak, and the step it was in."""

    def __init__(self, backend: Measuring) -> None:
        super().__init__(daemon=True)
        self.backend, self.step, self.peak, self.stopped = backend, "plan", (0.0, ""), False
        self.flow_by_step: dict[str, float] = defaultdict(float)  # the flow process alone, at most, per step
        self.total_by_step: dict[str, float] = defaultdict(float)  # flow plus workers, at most, per step

    def run(self) -> None:
        while not self.stopped:
            executor = self.backend.pool.executor
            pids = list(getattr(executor, "_processes", None) or {}) if executor else []
            flow = status_mb("self")
            total = flow + sum(status_mb(pid) for pid in pids)
            self.peak = max(self.peak, (total, self.step))
            self.flow_by_step[self.step] = max(self.flow_by_step[self.step], flow)
            self.total_by_step[self.step] = max(self.total_by_step[self.step], total)
            time.sleep(0.2)

    def progress(self, what: str, done: int, total: int) -> None:
        self.step = what


def measure_item(call: tuple[Callable[[Any], Any], Any]) -> tuple[Any, float, float]:
    return measured(call[0], call[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=50_000, help="examples per partition at most (a local run: 50,000)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    from pipeline.config import PrepareConfig
    from pipeline.executor import execute

    backend = measuring_backend(args.rows, args.out)
    sampler = Sampler(backend)
    sampler.start()
    started = time.perf_counter()
    try:
        report = execute(PrepareConfig(sources=[str(args.corpus)], out=str(args.out)), backend, sampler.progress)
    finally:
        backend.close()
        sampler.stopped = True
    rows = [
        {
            "stage": stage,
            "function": function,
            "items": len(costs),
            "rows_per_item": round(sum(rows for rows, _, _ in costs) / len(costs)),
            "mean_seconds": round(sum(seconds for _, seconds, _ in costs) / len(costs), 2),
            "max_seconds": round(max(seconds for _, seconds, _ in costs), 2),
            "max_peak_rss_mb": round(max(peak for _, _, peak in costs)),
        }
        for (stage, function), costs in backend.costs.items()
    ]
    summary = {
        "examples": report["ledger"]["examples"]["generated"],
        "seconds": round(time.perf_counter() - started, 1),
        "flow_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "flow_and_workers_peak_rss_mb": round(sampler.peak[0]),
        "peak_during": sampler.peak[1],
        "items": rows,
        "partition_files_mb": {stage: round(size / 1e6, 1) for stage, size in backend.spilled.items()},
        "peak_rss_mb_by_step": {
            step: {"flow": round(sampler.flow_by_step[step]), "flow_and_workers": round(total)}
            for step, total in sampler.total_by_step.items()
        },
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(
        f"{summary['examples']} examples, {summary['seconds']} s, flow process peak {summary['flow_peak_rss_mb']} MB, "
        f"flow and workers together {summary['flow_and_workers_peak_rss_mb']} MB during {summary['peak_during']}"
    )
    print(f"{'stage':14} {'function':22} {'items':>5} {'rows/item':>9} {'mean s':>7} {'max s':>7} {'peak MB':>8}")
    for row in rows:
        print(
            f"{row['stage']:14} {row['function']:22} {row['items']:>5} {row['rows_per_item']:>9} "
            f"{row['mean_seconds']:>7} {row['max_seconds']:>7} {row['max_peak_rss_mb']:>8}"
        )
    print("partition files on disk at most (MB):", summary["partition_files_mb"])
    print(f"{'step':18} {'flow MB':>8} {'+ workers MB':>13}")
    for step, peaks in summary["peak_rss_mb_by_step"].items():
        print(f"{step:18} {peaks['flow']:>8} {peaks['flow_and_workers']:>13}")


if __name__ == "__main__":
    main()
