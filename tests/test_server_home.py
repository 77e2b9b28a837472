"""`make server`, `make deploy` and `make worker` as a user runs them, with the project's own Prefect home.

The recipes run for real (`make -o install` skips the venv step; BIN is this interpreter's bin folder, so
the same command works in a worktree and in a clean clone after `make test` installed). The checks:
the server's SQLite database is the file under SERVER_HOME (a flow the API creates is a row in it), a
fresh home lists no flow runs, `make deploy` and `make worker` reach that server by PREFECT_API_URL,
and none of them touches the user's ~/.prefect (HOME points at an empty folder). Every process is stopped
by its process group, also when a check fails.
"""

import json
import os
import sqlite3
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.processes import BIN, Processes, free_port, http_ok, wait_until

pytestmark = pytest.mark.server

POOL = "ftprep-process"


def api_post(url: str, body: dict) -> Any:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def rows(database: Path, query: str) -> list[tuple]:
    """Read the server's SQLite file directly (read-only: the server keeps writing to it)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        return connection.execute(query).fetchall()


def make(target: str, home: Path, port: int) -> list[str]:
    return ["make", "-o", "install", f"BIN={BIN}", f"SERVER_HOME={home}", f"PREFECT_PORT={port}", target]


def test_make_server_deploy_and_worker_share_the_projects_own_home(tmp_path):
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    home = tmp_path / "server-home"
    user = tmp_path / "user"  # HOME: where ~/.prefect would be
    user.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env.update(HOME=str(user), DO_NOT_TRACK="1", PREFECT_WORKER_QUERY_SECONDS="1")
    with Processes(tmp_path / "logs", env) as procs:
        procs.start("server", make("server", home, port))
        wait_until(lambda: http_ok(f"{api}/health"), 180, "make server")
        database = home / "prefect.db"
        assert database.is_file()
        assert api_post(f"{api}/flow_runs/filter", {}) == []
        api_post(f"{api}/flows/", {"name": "probe-of-the-home"})
        assert ("probe-of-the-home",) in rows(database, "SELECT name FROM flow")

        procs.run("deploy", make("deploy", home, port), timeout=300)
        deployments = api_post(f"{api}/deployments/filter", {})
        assert {deployment["name"] for deployment in deployments} == {"sample", "validate"}
        assert {name for (name,) in rows(database, "SELECT name FROM deployment")} == {"sample", "validate"}

        procs.start("worker", make("worker", home, port))
        wait_until(
            lambda: bool(api_post(f"{api}/work_pools/{POOL}/workers/filter", {})), 120, "make worker", interval=1
        )
    assert not http_ok(f"{api}/health")  # stopped with its process group
    assert database.is_file()  # and its database stays for the next `make server`
    assert not (user / ".prefect").exists()
