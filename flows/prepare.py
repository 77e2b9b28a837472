"""The `prepare_dataset` flow: per-shard tasks over the inputs, then the global stages, the report as artifacts.

Shards (pipeline/shards.py) are submitted as `prepare-shard` tasks that take a shard of paths and write
parquet under OUT/stages/, so the flow's task runner decides where they run: threads by default, a
Dask cluster with `ftprep prepare --task-runner dask`. Shards a previous run finished are not submitted
again, which is what makes a killed run resumable. Dedup, tokens, split and the exports run in the flow
process over all shards. `NO_CACHE` keeps Prefect from hashing configs and frames for cache keys, and
no stage retries, because none touches a network. (No `from __future__ import annotations` here:
served flows pickle by value and would lose the PrepareConfig annotation; shared/reference/prefect.md.)
"""

import os

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from flows.progress import RunProgress
from pipeline.config import PrepareConfig
from pipeline.report.markdown import render_markdown
from pipeline.run import preflight, write_outputs
from pipeline.shards import GLOBAL_STAGES, ShardPlan, merge_shards, plan_shards, prepare_shard, prune_stale


@flow(
    name="prepare-dataset",
    description="Raw documents -> checked, deduplicated, split fine-tuning dataset.",
    # Shards hold the GIL in pure-Python parsing: a thread per core keeps them moving and memory bounded
    # (Prefect's default would start every shard at once).
    task_runner=ThreadPoolTaskRunner(max_workers=os.cpu_count() or 2),
)
def prepare_dataset(config: PrepareConfig) -> dict:
    preflight(config)
    plan = task(plan_shards, name="plan-shards", cache_policy=NO_CACHE)(config)
    run_shards(plan, config)
    state = task(merge_shards, name="merge-shards", cache_policy=NO_CACHE)(plan)
    for number, stage in enumerate(GLOBAL_STAGES):
        RunProgress.tell(stage.name, number, len(GLOBAL_STAGES) + 1)
        state = task(stage.apply, name=stage.name, cache_policy=NO_CACHE)(state, config)
    RunProgress.tell("write-outputs", len(GLOBAL_STAGES), len(GLOBAL_STAGES) + 1)
    report = task(write_outputs, name="write-outputs", cache_policy=NO_CACHE)(state, config)
    RunProgress.tell("write-outputs", len(GLOBAL_STAGES) + 1, len(GLOBAL_STAGES) + 1)
    prune_stale(plan, config.out)
    publish_report(report)
    return {"out": config.out, "ledger": report["ledger"], "rejected_by_reason": report["rejected_by_reason"]}


def run_shards(plan: ShardPlan, config: PrepareConfig) -> None:
    """Submit every shard not done yet to the task runner; a failed shard fails the run (the rest are kept)."""
    pending = plan.pending
    get_run_logger().info("%d shards, %d done by an earlier run", len(plan.shards), len(plan.shards) - len(pending))
    progress = RunProgress(len(plan.shards), len(plan.shards) - len(pending))
    prepare = task(prepare_shard, name="prepare-shard", cache_policy=NO_CACHE)
    futures = [
        prepare.with_options(task_run_name=f"shard-{shard.index:05d}").submit(shard, config) for shard in pending
    ]
    for future in as_completed(futures):
        future.result()
        progress.shard_done()


def publish_report(report: dict) -> None:
    create_markdown_artifact(markdown=render_markdown(report), key="ftprep-report", description="ftprep run report")
    create_table_artifact(table=report["funnel"], key="ftprep-funnel", description="Examples in and out of each stage")
    create_table_artifact(
        table=[{key: row[key] for key in ("level", "group", "metric", "value", "advice")} for row in report["risk"]],
        key="ftprep-risk",
        description="Overfitting risk: each metric with a level (ok, warn, high) and advice",
    )
