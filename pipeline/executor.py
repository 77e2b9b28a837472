"""The one executor of a prepare run: plan shards, run the shard stages over each, merge, run the global stages.

Where the work runs is a Backend's business. `LocalBackend` runs shards and the partitions of the global
stages on a pool of worker processes on this machine (`ftprep prepare --runner local`; one process when
the machine has one core or there is one item, so tests and notebooks stay in-process); flows/prepare.py
has the Prefect backend, whose shards and partitions are Prefect tasks on the flow's task runner (threads,
or a Dask cluster through prefect-dask) and whose other steps are tasks named after their stage. The
stages (pipeline.stages) never know which backend runs them, as datatrove keeps its pipeline steps apart
from its executors.
"""

import logging
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pipeline.apply import apply_stage, runs
from pipeline.config import PrepareConfig
from pipeline.partitions import Mapper
from pipeline.pool import WorkerPool
from pipeline.preflight import preflight
from pipeline.shards import Shard, ShardPlanning, merge_shards, prepare_shard, prune_stale
from pipeline.stages import GLOBAL_STAGES, Stage
from pipeline.state import RunState

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")
Progress = Callable[[str, int, int], None]  # (what, done, total): the CLI's progress bars listen to it
LOCAL_PARTITION_ROWS = 20_000  # below this a global stage is not worth a worker process's start and file round trip
# Rows per partition at most on this machine: half a cluster worker's, as the local workers run beside the
# flow's process, which holds every example. At 1M generated examples, flow and workers together peaked at
# 2.70 GB with 100k-row partitions and 2.49 GB with 50k, in the same time (bench/RESULTS.md, issue 18).
LOCAL_MAX_PARTITION_ROWS = 50_000
# Above this many examples (kept and rejected: the flow holds both) the local workers are stopped after each
# partitioned stage, so a worker's leftover memory never adds to the flow's (at 1M generated, 228k kept, warm
# workers took flow and workers to 3.2 GB); below it they stay warm from one partitioned stage to the next: a
# fresh spawned worker imports for 2-3 s, which was 5 of a 30 s 100k run (bench/RESULTS.md).
WARM_WORKERS_BELOW = 300_000


class Backend(Protocol):
    # Whether partitioned stages shuffle their keys through hash partitions on the workers (pipeline.partitions'
    # `Mapper.shuffles`): a cluster does; this machine's workers hand their keys back to the flow.
    shuffles: bool

    def call(self, name: str, function: Callable[..., T], *args: Any) -> T:
        """Run one named step (merging, a global stage) and return its result."""
        ...

    def expect_shards(self, count: int) -> None:
        """Planning has found the inputs of `count` shards and goes on to read them: a backend may start what
        will run them now."""
        ...

    def map_shards(self, shards: Iterable[Shard], cfg: PrepareConfig) -> Iterator[str]:
        """Run `prepare_shard` over every shard, yielding each shard's folder as it is done, in any order.
        `shards` is lazy (planning reads each shard's inputs as it is asked for the next): start each as it
        comes."""
        ...

    def map(self, name: str, function: Callable[[Any], R], items: Sequence[Any]) -> list[R]:
        """`function` over every item, wherever the backend runs work; the results in item order. Items and
        results are small (paths of partitions, small frames); the step is named `name` (a global stage's)."""
        ...

    def width(self, rows: int, stage: Stage) -> int:
        """How many partitions `stage` over `rows` examples should be cut into (1: run it whole, here)."""
        ...


class LocalBackend:
    """This machine: shards and partitions on up to `workers` processes (default: one per core)."""

    shuffles = False

    def __init__(self, workers: int | None = None) -> None:
        self.pool = WorkerPool(workers)

    def call(self, name: str, function: Callable[..., T], *args: Any) -> T:
        return function(*args)

    def expect_shards(self, count: int) -> None:
        # A shard worker imports for about a second; planning reads 100,000 inputs for about 1.5 s meanwhile.
        if count > 1:
            self.pool.start("pipeline.shards")

    def map_shards(self, shards: Iterable[Shard], cfg: PrepareConfig) -> Iterator[str]:
        return self.pool.as_completed("prepare-shard", prepare_shard, ((shard, cfg) for shard in shards))

    def map(self, name: str, function: Callable[[Any], R], items: Sequence[Any]) -> list[R]:
        return self.pool.map(name, function, items)

    def width(self, rows: int, stage: Stage) -> int:
        if stage.spreads_itself or self.pool.workers == 1 or rows < 2 * LOCAL_PARTITION_ROWS:
            return 1
        # A multiple of the workers, so that no worker is left alone with a last partition (five partitions on two
        # workers ran three rounds, the last on one core); each partition is then at most LOCAL_MAX_PARTITION_ROWS.
        rounds = -(-rows // (LOCAL_MAX_PARTITION_ROWS * self.pool.workers))
        return rounds * self.pool.workers

    def close(self) -> None:
        self.pool.close()


def execute(cfg: PrepareConfig, backend: Backend | None = None, progress: Progress | None = None) -> dict:
    """A whole run; returns report.json's content. A rerun skips the shards an earlier run finished."""
    local = LocalBackend() if backend is None else None
    try:
        return run_stages(cfg, backend or local, progress or (lambda what, done, total: None))  # type: ignore[arg-type]
    finally:
        if local is not None:
            local.close()


def release(run: Backend) -> None:
    """Stop the local workers (a later map starts fresh, light ones), so that no worker's leftover memory adds
    to the flow's; remote workers are the cluster's."""
    if isinstance(run, LocalBackend):
        run.close()


def holds_many(state: RunState) -> bool:
    """Whether the flow holds so many examples (kept and rejected, not what is left) that the local workers are
    stopped between steps rather than kept warm (WARM_WORKERS_BELOW)."""
    return state.examples.height + state.rejected.height >= WARM_WORKERS_BELOW


class ShardProgress:
    """The shards' progress while planning still finds them: a shard an earlier run finished is done when
    planning reaches it (it is not run again), any other when its worker is done."""

    def __init__(self, notify: Progress, expect: Callable[[int], None]) -> None:
        self.notify, self.told = notify, expect
        self.total = self.done = self.earlier = 0

    def expect(self, count: int) -> None:
        """Planning has found the inputs of `count` shards: the bar can be drawn, and the backend told."""
        self.total = count
        self.notify("shards", 0, count)
        self.told(count)

    def pending(self, planning: Iterable[Shard]) -> Iterator[Shard]:
        for shard in planning:
            if shard.done:
                self.earlier += 1
                self.finished()
            else:
                yield shard

    def finished(self) -> None:
        self.done += 1
        self.notify("shards", self.done, self.total)


def run_stages(cfg: PrepareConfig, run: Backend, notify: Progress) -> dict:
    preflight(cfg)
    progress = ShardProgress(notify, run.expect_shards)
    planning = ShardPlanning(cfg, progress.expect)  # shards start while planning reads the inputs of later ones
    for _ in run.map_shards(progress.pending(planning), cfg):
        progress.finished()
    plan = planning.plan
    log.info("%d shards, %d done by an earlier run", len(plan.shards), progress.earlier)
    state = run.call("merge-shards", merge_shards, plan)
    if holds_many(state):
        release(run)  # shard workers hold every reader and model (about 250 MB each); partitions need far less
    stages = [stage for stage in GLOBAL_STAGES if runs(stage, cfg)]
    last_partitioned = next((stage for stage in reversed(stages) if stage.partitioned), None)
    for number, stage in enumerate(stages):
        notify(stage.name, number, len(stages))
        scratch = Path(cfg.out).absolute() / "stages" / "global" / stage.name  # shared storage, as the shards'
        shutil.rmtree(scratch, ignore_errors=True)  # leftovers of a killed run
        mapper = Mapper(stage.name, scratch, run.width(state.examples.height, stage), run.map, run.shuffles)
        state = run.call(stage.name, apply_stage, stage, state, cfg, mapper)
        shutil.rmtree(scratch, ignore_errors=True)
        if stage.partitioned and (holds_many(state) or stage is last_partitioned):
            release(run)  # none is left for the report and export; at scale each partitioned stage starts light ones
    notify(stages[-1].name, len(stages), len(stages))
    shutil.rmtree(Path(cfg.out) / "stages" / "global", ignore_errors=True)
    prune_stale(plan, cfg.out)
    if state.report is None:
        raise RuntimeError("the stage registry has no report stage")
    return state.report
