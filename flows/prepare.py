"""The `prepare_dataset` flow: pipeline.executor with a Prefect backend, and the report as artifacts.

The backend makes each global stage of the executor a Prefect task named after its stage in the registry
(pipeline.stages), and submits the shards as `prepare-shard` tasks that take a shard of paths and write
parquet under OUT/stages/, so the flow's task runner decides where they run: threads by default, a Dask
cluster with `ftprep prepare --task-runner dask`. Shards a previous run finished are not submitted again,
which is what makes a killed run resumable. The global stages run in the flow's process over all shards;
those the registry marks `partitioned` (dedup-near, tokens, split, leakage, languages) submit their
partitions as tasks named after the stage, so under Dask their signatures, token counts, n-grams and
language rankings are made on the workers too, from partition files under OUT/stages/global/ (shared
storage, as for the shards).
`NO_CACHE` keeps Prefect from hashing configs and frames for cache keys. No task retries: the stages that
call a network (LLM generation, and LLM judging in pair-preferences) retry each request themselves, with
backoff, inside their budgets. (No `from __future__ import annotations` here: served flows pickle by value
and would lose the PrepareConfig annotation.)
"""

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from typing import Any, TypeVar

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State
from prefect.context import FlowRunContext
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from flows.failures import failed_with
from flows.overrides import deployment_config, over_deployment
from flows.progress import RunProgress
from pipeline.config import PrepareConfig
from pipeline.errors import FtprepError
from pipeline.executor import execute
from pipeline.partitions import MAX_PARTITION_ROWS
from pipeline.report.markdown import render_markdown, render_risk_markdown
from pipeline.shards import Shard, prepare_shard
from pipeline.stages import Stage

T = TypeVar("T")
R = TypeVar("R")


class PrefectBackend:
    """Every executor step a task of the running flow; shards submitted to the flow's task runner."""

    shuffles = True  # on Dask workers, which need not share a machine with the flow

    def call(self, name: str, function: Callable[..., T], *args: Any) -> T:
        return task(name=name, cache_policy=NO_CACHE)(function)(*args)

    def expect_shards(self, count: int) -> None:
        return None  # the flow's task runner starts its threads or its Dask cluster itself

    def map_shards(self, shards: Iterable[Shard], cfg: PrepareConfig) -> Iterator[str]:
        # Planning runs in the flow, one shard at a time: each is submitted as soon as its inputs are read, so the
        # task runner starts it while planning reads the rest.
        prepare = task(name="prepare-shard", cache_policy=NO_CACHE)(prepare_shard)
        named = ((prepare.with_options(task_run_name=f"shard-{shard.index:05d}"), shard) for shard in shards)
        futures = [shard_task.submit(shard, cfg) for shard_task, shard in named]
        for future in as_completed(futures):
            yield future.result()  # a failed shard fails the run; the shards already done are kept

    def map(self, name: str, function: Callable[[Any], R], items: Sequence[Any]) -> list[R]:
        # A partial's settings become the task's own parameters (Prefect wraps functions, not partials).
        settings = function.keywords if isinstance(function, partial) else {}
        partition = task(name=name, cache_policy=NO_CACHE)(function.func if isinstance(function, partial) else function)
        named = [partition.with_options(task_run_name=f"{name}-part-{number:05d}") for number in range(len(items))]
        futures = [part_task.submit(item, **settings) for part_task, item in zip(named, items, strict=True)]
        return [future.result() for future in futures]

    def width(self, rows: int, stage: Stage) -> int:
        """At least as many partitions as the Dask cluster has threads, of at most MAX_PARTITION_ROWS rows
        each; under threads a global stage runs whole, in the flow's process."""
        context = FlowRunContext.get()
        client = getattr(context.task_runner, "_client", None) if context else None
        if client is None:
            return 1
        return max(1, sum(client.nthreads().values()), -(-rows // MAX_PARTITION_ROWS))


@flow(
    name="prepare-dataset",
    description="Raw documents -> checked, deduplicated, split fine-tuning dataset.",
    # Shards hold the GIL in pure-Python parsing: a thread per core keeps them moving and memory bounded
    # (Prefect's default would start every shard at once). The ignore: ThreadPoolTaskRunner is a
    # TaskRunner[PrefectConcurrentFuture], and flow() declares the invariant TaskRunner[PrefectFuture[Any]]
    # (Prefect casts its own default runner the same way).
    task_runner=ThreadPoolTaskRunner(max_workers=os.cpu_count() or 2),  # type: ignore[arg-type]
)
def prepare_dataset(config: PrepareConfig) -> dict | State:
    """Run the pipeline; in a deployment run, `config` holds overrides of the deployment's config (flows/overrides.py).

    A run-stopping error (a bad config, a missing source, an unusable `out`) ends the run Failed with the
    line `ftprep prepare` prints as its state message (flows/failures.py).
    """
    try:
        config = over_deployment(config, deployment_config())
        report = execute(config, PrefectBackend(), RunProgress())
    except FtprepError as error:
        return failed_with(error)
    publish_report(report)
    return {"out": config.out, "ledger": report["ledger"], "rejected_by_reason": report["rejected_by_reason"]}


def publish_report(report: dict) -> None:
    create_markdown_artifact(markdown=render_markdown(report), key="ftprep-report", description="ftprep run report")
    create_table_artifact(table=report["funnel"], key="ftprep-funnel", description="Examples in and out of each stage")
    # Markdown, not a table: the UI draws table cells on one line and the advice would be cut off.
    create_markdown_artifact(
        markdown=render_risk_markdown(report),
        key="ftprep-risk",
        description="Overfitting risk: each metric with its value and advice, high first, then warn, then ok",
    )
