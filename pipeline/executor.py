"""The one executor of a prepare run: plan shards, run the shard stages over each, merge, run the global stages.

Where the work runs is a Backend's business. `LocalBackend` runs everything in this process
(`ftprep prepare --runner local`, tests, notebooks); flows/prepare.py has the Prefect backend, whose
shards are Prefect tasks on the flow's task runner (threads, or a Dask cluster through prefect-dask)
and whose other steps are tasks named after their stage. The stages (pipeline.stages) never know
which backend runs them, as datatrove keeps its pipeline steps apart from its executors.
"""

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

from pipeline.apply import apply_stage, runs
from pipeline.config import PrepareConfig
from pipeline.preflight import preflight
from pipeline.shards import Shard, merge_shards, plan_shards, prepare_shard, prune_stale
from pipeline.stages import GLOBAL_STAGES

log = logging.getLogger(__name__)

T = TypeVar("T")
Progress = Callable[[str, int, int], None]  # (what, done, total): the CLI's progress bars listen to it


class Backend(Protocol):
    def call(self, name: str, function: Callable[..., T], *args: Any) -> T:
        """Run one named step (planning, merging, a global stage) and return its result."""
        ...

    def map_shards(self, shards: Sequence[Shard], cfg: PrepareConfig) -> Iterator[str]:
        """Run `prepare_shard` over every shard, yielding each shard's folder as it is done, in any order."""
        ...


class LocalBackend:
    """Everything in this process, one shard after another."""

    def call(self, name: str, function: Callable[..., T], *args: Any) -> T:
        return function(*args)

    def map_shards(self, shards: Sequence[Shard], cfg: PrepareConfig) -> Iterator[str]:
        for shard in shards:
            yield prepare_shard(shard, cfg)


def execute(cfg: PrepareConfig, backend: Backend | None = None, progress: Progress | None = None) -> dict:
    """A whole run; returns report.json's content. A rerun skips the shards an earlier run finished."""
    run = backend or LocalBackend()
    notify = progress or (lambda what, done, total: None)
    preflight(cfg)
    plan = run.call("plan-shards", plan_shards, cfg)
    pending = plan.pending
    done = len(plan.shards) - len(pending)
    log.info("%d shards, %d done by an earlier run", len(plan.shards), done)
    notify("shards", done, len(plan.shards))
    for _ in run.map_shards(pending, cfg):
        done += 1
        notify("shards", done, len(plan.shards))
    state = run.call("merge-shards", merge_shards, plan)
    stages = [stage for stage in GLOBAL_STAGES if runs(stage, cfg)]
    for number, stage in enumerate(stages):
        notify(stage.name, number, len(stages))
        state = run.call(stage.name, apply_stage, stage, state, cfg)
    notify(stages[-1].name, len(stages), len(stages))
    prune_stale(plan, cfg.out)
    if state.report is None:
        raise RuntimeError("the stage registry has no report stage")
    return state.report
