"""A prepare run killed with SIGKILL mid-way resumes on rerun and ends with the uninterrupted run's bytes.

The run is the real `ftprep prepare` flow in a subprocess, reporting to the session's Prefect API, over
a generated corpus cut into 30 shards. It is killed once a few shards are done; the rerun must keep
those shards as they are (their done markers are not rewritten) and the outputs must equal a local
unsharded run's.
"""

import os
import signal
import sys

import pytest

from bench.corpus import write_corpus
from pipeline.config import PrepareConfig
from pipeline.executor import execute
from pipeline.shards import plan_shards
from tests.processes import ROOT, Processes, wait_until
from tests.test_shards import done_markers, outputs, sharded

pytestmark = [pytest.mark.resume, pytest.mark.prefect]


def flow_env() -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    return {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value()), "PYTHONPATH": str(ROOT)}


def test_a_killed_run_resumes_to_identical_outputs(prefect_api, tmp_path):
    corpus, out = tmp_path / "corpus", tmp_path / "resumed" / "run"
    write_corpus(corpus, 3000)
    config = tmp_path / "ftprep.toml"
    config.write_text("[ingest]\nshard_size = 10\n", encoding="utf-8")
    total = len(plan_shards(sharded(PrepareConfig(sources=[str(corpus)]), out, 10)).shards)
    command = [sys.executable, "-m", "flows.cli", "prepare", str(corpus), "--config", str(config), "--out", str(out)]
    with Processes(tmp_path / "logs", flow_env()) as procs:
        first = procs.start("killed", command)
        wait_until(lambda: len(done_markers(out)) >= 3 or first.poll() is not None, 180, "three shards")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        before = done_markers(out)
        assert 3 <= len(before) < total, f"the run must be killed mid-way: {len(before)} of {total} shards done"
        assert not (out / "train.jsonl").exists()
        procs.run("rerun", command, timeout=300)
    after = done_markers(out)
    assert len(after) == total and all(after[name] == mtime for name, mtime in before.items())

    reference = tmp_path / "uninterrupted" / "run"
    execute(PrepareConfig(sources=[str(corpus)], out=str(reference)))
    assert outputs(out) == outputs(reference)
