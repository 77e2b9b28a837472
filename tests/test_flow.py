"""The prepare and validate flows through a real Prefect API (one harness per session)."""

import asyncio
import json
from pathlib import Path

import pytest

from pipeline.config import PrepareConfig
from pipeline.executor import execute

HERE = Path(__file__).resolve().parent
MINI = HERE / "data" / "mini"
OUTPUTS = [
    "train.jsonl",
    "validation.jsonl",
    "rejects.jsonl",
    "report.json",
    "report.md",
    "report.html",
    "hf/README.md",
]

pytestmark = pytest.mark.prefect


async def artifacts_of(flow_run_id) -> dict[str, str]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    async with get_client() as client:
        found = await client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    return {artifact.key: artifact.data for artifact in found}


def test_flow_run_equals_local_run_and_publishes_the_report(prefect_api, tmp_path):
    from flows.prepare import prepare_dataset

    cfg = PrepareConfig.model_validate(
        {"sources": [str(MINI)], "out": str(tmp_path / "flow" / "mini"), "ingest": {"shard_size": 1}}
    )
    state = prepare_dataset(cfg, return_state=True)
    assert state.is_completed(), state
    result = state.result()

    local = tmp_path / "local" / "mini"
    report = execute(cfg.with_overrides(out=str(local)))
    assert result["ledger"] == report["ledger"] and result["ledger"]["examples"]["generated"] > 0
    for name in OUTPUTS:
        assert (Path(cfg.out) / name).read_bytes() == (local / name).read_bytes(), name

    artifacts = asyncio.run(artifacts_of(state.state_details.flow_run_id))
    assert "## Ledger" in artifacts["ftprep-report"]
    assert "ftprep-funnel" in artifacts
    assert float(artifacts["ftprep-progress"]) == 100.0  # three shards, all done
    assert len(list((Path(cfg.out) / "stages").glob("shard-*/shard.json"))) == 3
    assert "## Overfitting risk" in artifacts["ftprep-report"]
    risk, groups = artifacts["ftprep-risk"], {m["group"] for m in report["risk"]}
    assert groups >= {"leakage", "diversity", "size", "concentration", "representativeness"}
    assert all(f"`{m['metric']}` = {m['value']}: {m['advice']}" in risk for m in report["risk"])  # whole, wrapping


def test_flow_rejects_an_invalid_config_parameter(prefect_api):
    from flows.prepare import prepare_dataset

    state = prepare_dataset({"sources": [str(MINI)], "dedup": {"threshold": 3}}, return_state=True)
    assert state.is_failed()


def test_validate_flow(prefect_api, tmp_path):
    from flows.validate import validate_dataset

    path = tmp_path / "train.jsonl"
    path.write_text('{"messages": [{"role": "user", "content": "Hi?"}]}\n')
    state = validate_dataset(str(path), "openai-chat", return_state=True)
    assert state.is_failed()  # the data fails, so the run does (tests/test_deploy_gate.py: on a server)
    assert state.message == f"{path}: 2 errors: file.too_few_examples x1, semantic.no_assistant x1"
    artifacts = asyncio.run(artifacts_of(state.state_details.flow_run_id))
    assert "has 2 errors" in artifacts["ftprep-validation"]
    reported = validate_dataset(str(path), "openai-chat", fail_on="never", return_state=True)
    assert reported.is_completed()
    result = reported.result()
    assert not result["ok"] and result["stats"]["errors_by_code"] == {
        "semantic.no_assistant": 1,
        "file.too_few_examples": 1,
    }


def test_the_llm_key_never_reaches_the_flow_run_its_logs_or_outputs(prefect_api, tmp_path, monkeypatch):
    """The key comes from the environment only: not in the stored parameters, logs, artifacts or files."""
    from llm_server import LLMServer
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    from flows.prepare import prepare_dataset

    key = "sk-flowplanted-7c1e9a4b2d8f6e3a5b0c"
    monkeypatch.setenv("FTPREP_LLM_API_KEY", key)
    server = LLMServer().start()
    try:
        llm = {"enabled": True, "base_url": server.url, "model": "test-model", "cache_dir": str(tmp_path / "cache")}
        cfg = PrepareConfig(sources=[str(MINI)], out=str(tmp_path / "run"), llm=llm)
        state = prepare_dataset(cfg, return_state=True)
        assert state.is_completed(), state
        assert server.count > 0 and set(server.authorization) == {f"Bearer {key}"}
    finally:
        server.stop()

    async def stored(flow_run_id) -> str:
        async with get_client() as client:
            run = await client.read_flow_run(flow_run_id)
            logs = await client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))
        return json.dumps(run.parameters) + "".join(log.message for log in logs)

    flow_run_id = state.state_details.flow_run_id
    assert key not in asyncio.run(stored(flow_run_id))
    assert all(key not in str(data) for data in asyncio.run(artifacts_of(flow_run_id)).values())  # progress: a number
    for path in (tmp_path / "run").rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path
