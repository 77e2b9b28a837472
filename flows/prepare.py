"""The `prepare_dataset` flow: each pipeline stage as a Prefect task, the report as artifacts.

Stages run in-process on frames; `NO_CACHE` keeps Prefect from hashing DataFrames for cache keys and
no stage retries, because none touches a network. (No `from __future__ import annotations` here:
served flows pickle by value and would lose the PrepareConfig annotation; shared/reference/prefect.md.)
"""

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from pipeline.config import PrepareConfig
from pipeline.report.markdown import render_markdown
from pipeline.run import STAGES, RunState, preflight, write_outputs


@flow(name="prepare-dataset", description="Raw documents -> checked, deduplicated, split fine-tuning dataset.")
def prepare_dataset(config: PrepareConfig) -> dict:
    preflight(config)
    state = RunState.start()
    for stage in STAGES:
        state = task(stage.apply, name=stage.name, cache_policy=NO_CACHE)(state, config)
    report = task(write_outputs, name="write-outputs", cache_policy=NO_CACHE)(state, config)
    publish_report(report)
    return {"out": config.out, "ledger": report["ledger"], "rejected_by_reason": report["rejected_by_reason"]}


def publish_report(report: dict) -> None:
    create_markdown_artifact(markdown=render_markdown(report), key="ftprep-report", description="ftprep run report")
    create_table_artifact(table=report["funnel"], key="ftprep-funnel", description="Examples in and out of each stage")
    create_table_artifact(
        table=[{key: row[key] for key in ("level", "group", "metric", "value", "advice")} for row in report["risk"]],
        key="ftprep-risk",
        description="Overfitting risk: each metric with a level (ok, warn, high) and advice",
    )
