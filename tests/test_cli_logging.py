"""A Prefect-mode `ftprep prepare` is quiet on the terminal by default and keeps every line on the server.

The CLI runs as a user runs it, in a subprocess, against the session's Prefect API (its URL passed as
PREFECT_API_URL; no other PREFECT_ setting of the test session leaks in, so Prefect's own INFO default
applies). By default the terminal gets the summary line and no INFO line; with --verbose it gets
Prefect's line per task run; either way the flow run's INFO lines are stored with the run on the server.
"""

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
MINI = HERE / "data" / "mini"
INFO_LINE = re.compile(r"\|\s*INFO\s*\|")

pytestmark = pytest.mark.prefect


def run_prepare(out: Path, home: Path, *options: str) -> subprocess.CompletedProcess:
    from prefect.settings import PREFECT_API_URL

    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env.update(PREFECT_API_URL=str(PREFECT_API_URL.value()), PREFECT_HOME=str(home))
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", "prepare", str(MINI), "--out", str(out), "--no-progress", *options],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=HERE.parent,
    )


async def stored_logs(out: Path) -> list[tuple[int, str]]:
    """The log lines the server keeps for the prepare run that wrote into `out`."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName, LogFilter, LogFilterFlowRunId

    async with get_client() as client:
        runs = await client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["prepare-dataset"])))
        ours = [run.id for run in runs if run.parameters.get("config", {}).get("out") == str(out)]
        assert len(ours) == 1, ours
        logs = await client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=ours)))
    return [(log.level, log.message) for log in logs]


def summary_only(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ftprep: ") and "see report.md" in lines[0], lines


def test_prepare_prints_no_prefect_info_lines_by_default(prefect_api, tmp_path):
    out = tmp_path / "quiet"
    result = run_prepare(out, tmp_path / "home")
    summary_only(result)
    assert not [line for line in result.stderr.splitlines() if INFO_LINE.search(line)], result.stderr
    assert "Traceback" not in result.stderr
    stored = asyncio.run(stored_logs(out))
    assert any(level == 20 and "Finished in state Completed" in message for level, message in stored), stored


def test_prepare_verbose_prints_prefects_info_lines(prefect_api, tmp_path):
    out = tmp_path / "verbose"
    result = run_prepare(out, tmp_path / "home", "--verbose")
    summary_only(result)
    info = [line for line in result.stderr.splitlines() if INFO_LINE.search(line)]
    assert any("Task run 'shard-00000' - Finished in state Completed" in line for line in info), result.stderr
    assert any("Flow run" in line and "Finished in state Completed" in line for line in info), result.stderr
