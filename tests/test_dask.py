"""The prepare flow's shards on a real Dask cluster: a scheduler and two worker processes on 127.0.0.1.

`ftprep prepare --dask-address` runs in a subprocess against the session's Prefect API; the workers
import this checkout (PYTHONPATH) as a cluster's workers would import the installed ftprep. The
outputs must equal the local unsharded run's, and both workers must have run shards.
"""

import json
import sys

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


def test_shards_run_on_a_dask_cluster(prefect_api, sample_run, tmp_path):
    reference, _ = sample_run
    address = f"tcp://127.0.0.1:{free_port()}"
    config = tmp_path / "ftprep.toml"
    text = (ROOT / "sample_data" / "ftprep.toml").read_text(encoding="utf-8")
    config.write_text(text.replace("shard_size = 500 ", "shard_size = 6   "), encoding="utf-8")
    assert config.read_text() != text
    out = tmp_path / "dask" / "run"
    dask = [str(BIN / "dask")]
    scratch = {"DASK_TEMPORARY_DIRECTORY": str(tmp_path / "dask-scratch")}  # not /tmp/dask-scratch-space
    with Processes(tmp_path / "logs", {**flow_env(), **scratch}) as procs:
        port = address.rsplit(":", 1)[1]
        procs.start("scheduler", [*dask, "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"])
        for name in ("worker-1", "worker-2"):
            worker = [*dask, "worker", address, "--host", "127.0.0.1", "--nthreads", "1", "--no-nanny"]
            procs.start(name, [*worker, "--no-dashboard", "--name", name])
        procs.run("wait", [sys.executable, "-c", RAN, address, "wait"], timeout=120)
        command = [sys.executable, "-m", "flows.cli", "prepare", str(ROOT / "sample_data"), "--config", str(config)]
        procs.run("prepare", [*command, "--out", str(out), "--dask-address", address], timeout=300)
        ran = json.loads(procs.run("ran", [sys.executable, "-c", RAN, address, "ran"]).stdout)
    assert len(ran) == 2 and all(any(key.startswith("prepare_shard") for key in keys) for keys in ran.values())
    assert outputs(out) == outputs(reference)
