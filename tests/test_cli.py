"""The `ftprep` command as users run it: exit codes, one-line errors, never a traceback."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import free_port

HERE = Path(__file__).resolve().parent
MINI = HERE / "data" / "mini"
GOOD = json.dumps({"messages": [{"role": "user", "content": "Hi?"}, {"role": "assistant", "content": "Hello."}]})


def ftprep(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=cwd or HERE.parent,
    )


def assert_one_line_error(result: subprocess.CompletedProcess, code: int, *fragments: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ftprep: error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def test_validate_exit_codes(tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text((GOOD + "\n") * 10)
    bad = tmp_path / "bad.jsonl"
    bad.write_text((GOOD + "\n") * 10 + '{"messages": []}\nnot json\n')
    assert ftprep("validate", str(good)).returncode == 0
    result = ftprep("validate", str(bad))
    assert result.returncode == 1
    assert "error schema.minItems: 1" in result.stdout and f"{bad}:11: messages:" in result.stdout
    assert "error json.invalid: 1" in result.stdout and f"{bad}:12: (line): column 1:" in result.stdout
    report = json.loads(ftprep("validate", str(bad), "--json").stdout)
    assert [(e["line"], e["code"]) for e in report["errors"]] == [(11, "schema.minItems"), (12, "json.invalid")]


def test_validate_missing_file_is_exit_2(tmp_path):
    assert_one_line_error(ftprep("validate", str(tmp_path / "none.jsonl")), 2, "none.jsonl", "cannot read")


def test_usage_error_is_exit_2():
    result = ftprep("validate")
    assert result.returncode == 2 and "usage:" in result.stderr


def test_prepare_missing_source(tmp_path):
    assert_one_line_error(
        ftprep("prepare", str(tmp_path / "nope"), "--out", str(tmp_path / "o")), 2, "nope", "no such file"
    )


def test_prepare_bad_config(tmp_path):
    config = tmp_path / "ftprep.toml"
    config.write_text("[dedup]\nthreshhold = 0.5\n")
    assert_one_line_error(ftprep("prepare", str(MINI), "--config", str(config)), 1, str(config), "dedup.threshhold")


def test_prepare_unknown_model(tmp_path):
    assert_one_line_error(
        ftprep("prepare", str(MINI), "--model", "llama-3", "--out", str(tmp_path / "o")), 1, "set tokens.encoding"
    )


@pytest.mark.parametrize(
    ("options", "api", "fragments"),
    [
        (["--task-runner", "dask", "--runner", "local"], None, ["drop --runner local"]),
        (["--task-runner", "threads", "--dask-address", "tcp://127.0.0.1:1"], None, ["needs --task-runner dask"]),
        (["--dask-address", "tcp://127.0.0.1:1"], None, ["needs a Prefect server", "PREFECT_API_URL"]),
        (["--dask-address", "tcp://127.0.0.1:{port}"], "http://127.0.0.1:9/api", ["no Dask scheduler answers"]),
    ],
    ids=["local-runner", "threads", "no-prefect-server", "no-scheduler"],
)
def test_bad_dask_options(tmp_path, options, api, fragments):
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    if api:
        env["PREFECT_API_URL"] = api
    options = [option.format(port=free_port()) for option in options]
    assert_one_line_error(ftprep("prepare", str(MINI), "--out", str(tmp_path / "o"), *options, env=env), 2, *fragments)


def test_targets_lists_openai_chat():
    result = ftprep("targets", "--json")
    assert result.returncode == 0 and json.loads(result.stdout)[0]["name"] == "openai-chat"


@pytest.mark.slow
def test_prepare_runs_as_a_prefect_flow_in_ephemeral_mode(tmp_path):
    """No server configured: Prefect starts its temporary one (its database in PREFECT_HOME); nothing about
    telemetry, no traceback, no INFO line: the summary line alone (tests/test_cli_logging.py: --verbose)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"))
    for key in ("DO_NOT_TRACK", "PREFECT_SERVER_ANALYTICS_ENABLED"):
        env.pop(key, None)  # the CLI itself must make the run quiet and offline
    result = ftprep("prepare", str(MINI), "--out", str(tmp_path / "run"), env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Traceback" not in output and "telemetry" not in output.lower() and "ERROR" not in output
    assert "INFO" not in output and result.stdout.startswith("ftprep: ") and len(output.splitlines()) == 1
    assert (tmp_path / "prefect-home" / "prefect.db").is_file()  # the temporary server ran the flow
    assert (tmp_path / "run" / "train.jsonl").stat().st_size > 0
