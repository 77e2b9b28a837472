"""`ftprep artifact KEY`: a run's artifacts read back from a Prefect server as the text they hold.

The rendering of Prefect's three table shapes is checked directly; the command runs as a user runs it
(a subprocess): with no server configured and with nothing listening it must fail in one line, and
against a real `prefect server start` on 127.0.0.1, after two real `ftprep prepare` runs reported there,
it must print each run's report.md byte for byte, its funnel as a Markdown table, its risk Markdown and
its progress as a number, the latest run by default and an earlier one with --run.
"""

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from uuid import UUID

import pytest

from flows.artifacts import render, table_markdown
from pipeline.report.markdown import render_risk_markdown
from tests.processes import ROOT, Processes, free_port, http_ok, wait_until

MINI = ROOT / "tests" / "data" / "mini"


def ftprep(*args: str, api: str | None, home: Path) -> subprocess.CompletedProcess:
    """The CLI with no PREFECT_ setting of this session: a fresh Prefect home, and the API URL if given."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home), DO_NOT_TRACK="1")
    if api:
        env["PREFECT_API_URL"] = api
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True, timeout=300, env=env, cwd=ROOT
    )


def one_error_line(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ftprep: error: "), result.stderr
    assert all(fragment in lines[0] for fragment in fragments), lines[0]
    assert result.stdout == ""


def test_rows_as_dicts_take_their_columns_in_first_seen_order():
    rows = [{"stage": "ingest", "in": 3}, {"stage": "dedup", "out": None, "note": "a | b\nc"}]
    assert table_markdown(rows) == (
        "| stage | in | out | note |\n|---|---|---|---|\n| ingest | 3 |  |  |\n| dedup |  |  | a \\| b c |"
    )


def test_columns_as_a_dict_and_rows_as_lists():
    assert table_markdown({"key": ["a", "b"], "value": [1]}) == "| key | value |\n|---|---|\n| a | 1 |\n| b |  |"
    assert table_markdown([[1, {"x": 2}], [3]]) == '| 1 | 2 |\n|---|---|\n| 1 | {"x": 2} |\n| 3 |  |'
    assert table_markdown([]) == "(empty table)"


def test_render_by_artifact_type():
    assert render("table", json.dumps([{"a": 1}])) == "| a |\n|---|\n| 1 |"
    assert render("progress", 100.0) == "100" and render("progress", 37.5) == "37.5"
    assert render("markdown", "# Title\n\n- item\n") == "# Title\n\n- item\n"
    assert render(None, {"b": [1]}) == '{\n  "b": [\n    1\n  ]\n}'


def test_no_api_url_is_one_line(tmp_path):
    one_error_line(ftprep("artifact", "ftprep-report", api=None, home=tmp_path), "PREFECT_API_URL is not set")


def test_no_server_answering_is_one_line(tmp_path):
    api = f"http://127.0.0.1:{free_port()}/api"
    one_error_line(ftprep("artifact", "ftprep-report", api=api, home=tmp_path), api, "no Prefect server answers")


async def flow_run_ids(api: str) -> dict[str, UUID]:
    """Each prepare run's id by the name of its out folder."""
    from prefect.client.orchestration import PrefectClient

    async with PrefectClient(api) as client:
        runs = await client.read_flow_runs()
    return {Path(run.parameters["config"]["out"]).name: run.id for run in runs}


@pytest.mark.server
def test_artifacts_of_real_runs_print_as_text(tmp_path):
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env.update(
        PREFECT_HOME=str(tmp_path / "server-home"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_UI_ENABLED="false",
        PREFECT_SERVER_LOGGING_LEVEL="WARNING",
        DO_NOT_TRACK="1",
    )
    client_home = tmp_path / "client-home"
    first, second = tmp_path / "first", tmp_path / "second"
    with Processes(tmp_path / "logs", env) as procs:
        procs.start(
            "server", [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
        )
        wait_until(lambda: http_ok(f"{api}/health"), 120, "prefect server")
        for out in (first, second):
            result = ftprep("prepare", str(MINI), "--out", str(out), "--no-progress", api=api, home=client_home)
            assert result.returncode == 0, result.stdout + result.stderr
        ids = asyncio.run(flow_run_ids(api))

        def artifact(*args: str) -> str:
            result = ftprep("artifact", *args, api=api, home=client_home)
            assert result.returncode == 0 and result.stderr == "", result.stderr
            return result.stdout

        assert artifact("ftprep-report") == (second / "report.md").read_text(encoding="utf-8")
        assert artifact("ftprep-report", "--run", str(ids["first"])) == (first / "report.md").read_text("utf-8")
        report = json.loads((second / "report.json").read_text(encoding="utf-8"))
        assert artifact("ftprep-risk") == render_risk_markdown(report)
        funnel = artifact("ftprep-funnel").splitlines()
        assert funnel[:2] == ["| stage | in | rejected | out |", "|---|---|---|---|"]
        assert funnel[2:] == [f"| {r['stage']} | {r['in']} | {r['rejected']} | {r['out']} |" for r in report["funnel"]]
        assert artifact("ftprep-progress") == "100\n"
        missing = ftprep("artifact", "ftprep-reprot", api=api, home=client_home)
        one_error_line(missing, "no artifact with key 'ftprep-reprot'", "ftprep-funnel, ftprep-progress, ftprep-report")
        elsewhere = ftprep(
            "artifact", "ftprep-report", "--run", "00000000-0000-4000-8000-000000000000", api=api, home=client_home
        )
        one_error_line(elsewhere, "flow run 00000000-0000-4000-8000-000000000000", "keys there: none")
