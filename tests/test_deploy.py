"""The deployment path as a user takes it: a real `prefect server start`, prefect.yaml, a process worker.

Everything runs on 127.0.0.1 with a throwaway PREFECT_HOME: the server, a long-lived process worker
(it creates the work pool, so nothing asks the collections registry online), `prefect deploy --all`
from prefect.yaml, then runs triggered with parameters through the API. The checks read states and
artifacts back through the API and compare the files with a local run. Every process is stopped by
its PID (process group), also when a check fails.
"""

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.executor import execute
from tests.processes import ROOT, Processes, free_port, http_ok, wait_until

pytestmark = pytest.mark.server

SAMPLE = ROOT / "sample_data"
POOL = "ftprep-process"
PREFECT = [sys.executable, "-m", "prefect"]
DATASET_FILES = ("train.jsonl", "validation.jsonl", "rejects.jsonl")
GOOD = json.dumps({"messages": [{"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "Hello there."}]})


def server_env(home: Path, port: int) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
        PREFECT_SERVER_API_HOST="127.0.0.1",
        PREFECT_SERVER_API_PORT=str(port),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_UI_ENABLED="false",
        PREFECT_SERVER_LOGGING_LEVEL="WARNING",
        PREFECT_LOGGING_LEVEL="WARNING",
        DO_NOT_TRACK="1",
        PREFECT_CLI_PROMPT="false",
        # Defaults of 10 s would add up to 10 s of dead time per run (prefect.md, pitfall 8).
        PREFECT_WORKER_QUERY_SECONDS="1",
        PREFECT_RUNNER_POLL_FREQUENCY="1",
        FTPREP_ROOT=str(ROOT),  # prefect.yaml's pull step: flow runs start in this checkout
        PYTHONPATH=str(ROOT),  # and import its pipeline/ and flows/, not another installed copy
    )
    return env


async def run_deployment_and_wait(api: str, name: str, parameters: dict, timeout: float = 180) -> dict:
    """Trigger a deployment run through the API, wait for a final state, return it with its artifacts."""
    from prefect.client.orchestration import PrefectClient
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    async with PrefectClient(api) as client:
        deployment = await client.read_deployment_by_name(name)
        flow_run = await client.create_flow_run_from_deployment(deployment.id, parameters=parameters)
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            flow_run = await client.read_flow_run(flow_run.id)
            if flow_run.state and flow_run.state.is_final():
                break
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{name}: still {flow_run.state} after {timeout} s")
            await asyncio.sleep(0.5)
        found = await client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run.id]))
        )
    return {"state": flow_run.state, "artifacts": {artifact.key: artifact for artifact in found}}


async def create_process_pool(api: str) -> None:
    """The pool a `prefect worker start --type process` would create, made here so deploy need not wait for it."""
    from prefect.client.orchestration import PrefectClient
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.workers.process import ProcessWorker

    template = ProcessWorker.get_default_base_job_template()
    async with PrefectClient(api) as client:
        await client.create_work_pool(WorkPoolCreate(name=POOL, type="process", base_job_template=template))


def serve_deployments(procs: Processes, port: int, worker: str = "test-worker", limit: int = 2) -> str:
    """In `procs`: a `prefect server start` on `port`, the process pool, a worker and `prefect deploy --all`
    of prefect.yaml; returns the API URL. The worker starts up while prefect.yaml is deployed: two CLI
    start-ups overlap on two cores."""
    api = f"http://127.0.0.1:{port}/api"
    procs.start("server", [*PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)])
    wait_until(lambda: http_ok(f"{api}/health"), 120, "prefect server")
    asyncio.run(create_process_pool(api))
    command = [*PREFECT, "worker", "start", "--pool", POOL, "--install-policy", "never", "--limit", str(limit)]
    procs.start("worker", [*command, "--name", worker])
    procs.run("deploy", [*PREFECT, "--no-prompt", "deploy", "--all"])
    return api


async def run_both(api: str, prepare: dict, validate: dict) -> tuple[dict, dict]:
    return await asyncio.gather(
        run_deployment_and_wait(api, "prepare-dataset/sample", prepare),
        run_deployment_and_wait(api, "validate-dataset/validate", validate),
    )


def test_deployments_run_on_a_real_server_with_a_process_worker(tmp_path):
    port = free_port()
    out = tmp_path / "deployed" / "sample"
    cfg = load_config(SAMPLE / "ftprep.toml").with_overrides(sources=[str(SAMPLE)], out=str(out))
    checked = tmp_path / "checked.jsonl"
    checked.write_text((GOOD + "\n") * 10, encoding="utf-8")
    with Processes(tmp_path / "logs", server_env(tmp_path / "prefect-home", port)) as procs:
        api = serve_deployments(procs, port)
        prepared, validated = asyncio.run(
            run_both(api, {"config": cfg.model_dump(mode="json")}, {"path": str(checked)})
        )
        assert prepared["state"].is_completed(), prepared["state"]
        assert validated["state"].is_completed(), validated["state"]

    artifacts = prepared["artifacts"]
    assert "## Ledger" in artifacts["ftprep-report"].data
    funnel = json.loads(artifacts["ftprep-funnel"].data)
    assert [row["stage"] for row in funnel][:3] == ["ingest", "generate", "format"]
    assert float(artifacts["ftprep-progress"].data) == 100.0
    assert "passes" in validated["artifacts"]["ftprep-validation"].data

    local = tmp_path / "local" / "sample"
    report = execute(cfg.with_overrides(out=str(local)))
    for name in DATASET_FILES:
        assert (out / name).read_bytes() == (local / name).read_bytes(), name
    assert json.loads((out / "report.json").read_text())["ledger"] == report["ledger"]
