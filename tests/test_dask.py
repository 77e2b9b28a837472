"""The prepare flow on a real Dask cluster: a scheduler and two worker processes on 127.0.0.1.

`ftprep prepare --dask-address` runs in a subprocess against the session's Prefect API; the workers
import this checkout (PYTHONPATH) as a cluster's workers would import the installed ftprep. The cluster
runs once per module: the outputs must equal a `--runner local` run's byte for byte, both workers must
have run shards, and the partitions of the global stages (signatures and band buckets of dedup-near and
leakage, token counts, the split's and leakage's 13-gram partitions) must have run on the workers too.
"""

import json
import sys
from pathlib import Path

import pytest

from tests.processes import BIN, ROOT, Processes, free_port
from tests.test_resume import flow_env
from tests.test_shards import outputs

pytestmark = [pytest.mark.dask, pytest.mark.prefect]

# Which task keys each worker ran, read from the workers' own transition logs.
RAN = """
import json, sys
from distributed import Client
with Client(sys.argv[1], timeout=30) as client:
    client.wait_for_workers(2, timeout=90)
    if sys.argv[2] == "ran":
        ran = client.run(lambda dask_worker: sorted({str(entry[0]) for entry in dask_worker.state.log}))
        print(json.dumps(ran))
"""
# The functions the partitioned global stages map over their partitions (pipeline.similarity.partitioned,
# pipeline.tokens, pipeline.language); Dask names a task's key after its function.
PARTITION_TASKS = (
    "spill_band_hashes",
    "band_partition_pairs",
    "part_token_counts",
    "spill_grams",
    "linked_grams",
    "held_counts",
    "rank_rows",
)


@pytest.fixture(scope="module")
def dask_run(prefect_api, tmp_path_factory) -> tuple[Path, Path, dict[str, list[str]]]:
    """(Dask run's out, local run's out, task keys each worker ran), both runs in small shards."""
    tmp_path = tmp_path_factory.mktemp("dask")
    address = f"tcp://127.0.0.1:{free_port()}"
    config = tmp_path / "ftprep.toml"
    text = (ROOT / "sample_data" / "ftprep.toml").read_text(encoding="utf-8")
    config.write_text(text.replace("shard_size = 1000 ", "shard_size = 6    "), encoding="utf-8")
    assert config.read_text() != text
    out, local = tmp_path / "dask" / "run", tmp_path / "local" / "run"
    dask = [str(BIN / "dask")]
    scratch = {"DASK_TEMPORARY_DIRECTORY": str(tmp_path / "dask-scratch")}  # not /tmp/dask-scratch-space
    command = [sys.executable, "-m", "flows.cli", "prepare", str(ROOT / "sample_data"), "--config", str(config)]
    with Processes(tmp_path / "logs", {**flow_env(), **scratch}) as procs:
        port = address.rsplit(":", 1)[1]
        procs.start("scheduler", [*dask, "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"])
        for name in ("worker-1", "worker-2"):
            worker = [*dask, "worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--no-nanny"]
            procs.start(name, [*worker, "--no-dashboard", "--name", name])
        procs.run("wait", [sys.executable, "-c", RAN, address, "wait"], timeout=120)
        procs.run("prepare", [*command, "--out", str(out), "--dask-address", address], timeout=300)
        ran = json.loads(procs.run("ran", [sys.executable, "-c", RAN, address, "ran"]).stdout)
        procs.run("local", [*command, "--out", str(local), "--runner", "local", "--no-progress"], timeout=300)
    return out, local, ran


def test_outputs_equal_a_local_run(dask_run, sample_run):
    out, local, _ = dask_run
    reference, _ = sample_run
    assert outputs(out) == outputs(local) == outputs(reference)
    assert not (out / "stages" / "global").exists()  # the partitions are scratch, removed after each stage


def test_shards_run_on_both_workers(dask_run):
    _, _, ran = dask_run
    assert len(ran) == 2 and all(any(key.startswith("prepare_shard") for key in keys) for keys in ran.values())


@pytest.mark.parametrize("function", PARTITION_TASKS)
def test_global_stage_partitions_run_on_the_workers(dask_run, function):
    _, _, ran = dask_run
    assert sum(key.startswith(function) for keys in ran.values() for key in keys) >= 2  # one task per partition
