"""The fixed cost Prefect adds to a prepare run, and its cost per shard, measured apart from the pipeline.

Fixed cost: a tiny corpus (tests/data/mini, 3 files, one shard) prepared by the local runner (no
Prefect), by the flow in ephemeral mode (Prefect starts a temporary server; its database is already
migrated) and by the flow against a running `prefect server start` on 127.0.0.1; fixed cost = flow -
local. Per shard: sample_data (46 input files) in one shard and in 46, with the local runner (the cost
of sharding itself: parquet written and read back) and with the flow (plus a Prefect task per shard);
cost per shard = (46 shards - 1 shard) / 45. Every try is a fresh child process, which reports its
import time and the run call's time; the parent adds the process's wall time.

    python -m bench.prefect_overhead [--tries 3] [--json]
"""

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "data" / "mini"
SAMPLE = ROOT / "sample_data"
QUIET = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_UI_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
}


def child(mode: str, source: Path, out: Path, shard_size: int) -> dict:
    started = time.perf_counter()
    from pipeline.config import load_config

    cfg = load_config(SAMPLE / "ftprep.toml").with_overrides(sources=[str(source)], out=str(out))
    cfg = cfg.model_copy(update={"ingest": cfg.ingest.model_copy(update={"shard_size": shard_size})})
    if mode == "local":
        from pipeline.executor import execute as run
    else:
        from flows.prepare import prepare_dataset as run
    imported = time.perf_counter()
    run(cfg)
    return {"import_s": imported - started, "run_s": time.perf_counter() - imported}


def in_child(mode: str, env: dict[str, str], source: Path, shard_size: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "bench.prefect_overhead", "--child", mode, "--out", f"{folder}/run"]
        command += ["--source", str(source), "--shard-size", str(shard_size)]
        started = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        wall = time.perf_counter() - started
    return {**json.loads(result.stdout.strip().splitlines()[-1]), "wall_s": wall}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def measure(tries: int) -> dict:
    home = tempfile.mkdtemp(prefix="ftprep-prefect-bench-")
    base = {**os.environ, **QUIET, "PREFECT_HOME": home, "PYTHONPATH": str(ROOT)}
    base.pop("PREFECT_API_URL", None)
    in_child("ephemeral", base, MINI, 500)  # migrates the fresh database once; not counted
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env={**base, "PREFECT_HOME": f"{home}/server"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not healthy(f"{api}/health"):
            if time.monotonic() > deadline:
                raise TimeoutError("prefect server did not become healthy")
            time.sleep(0.2)
        served = {**base, "PREFECT_API_URL": api}
        rows = {
            name: [in_child(mode, env, source, size) for _ in range(tries)]
            for name, (mode, env, source, size) in cases(base, served).items()
        }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    summary = {
        name: {key: round(statistics.median(try_[key] for try_ in runs), 2) for key in runs[0]}
        for name, runs in rows.items()
    }
    local = summary["local"]
    summary["fixed_cost_s"] = {
        name: {key: round(summary[name][f"{key}_s"] - local[f"{key}_s"], 2) for key in ("run", "wall")}
        for name in ("flow_ephemeral", "flow_server")
    }
    summary["per_shard_s"] = {runner: per_shard(summary, runner) for runner in ("local", "flow")}
    return summary


def per_shard(summary: dict, runner: str) -> float:
    many, one = summary[f"sample_{runner}_46_shards"]["run_s"], summary[f"sample_{runner}_1_shard"]["run_s"]
    return round((many - one) / 45, 3)


def cases(local: dict[str, str], served: dict[str, str]) -> dict[str, tuple[str, dict[str, str], Path, int]]:
    return {
        "local": ("local", local, MINI, 500),
        "flow_ephemeral": ("ephemeral", local, MINI, 500),
        "flow_server": ("server", served, MINI, 500),
        "sample_local_1_shard": ("local", local, SAMPLE, 500),
        "sample_local_46_shards": ("local", local, SAMPLE, 1),
        "sample_flow_1_shard": ("server", served, SAMPLE, 500),
        "sample_flow_46_shards": ("server", served, SAMPLE, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tries", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=["local", "ephemeral", "server"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--source", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--shard-size", type=int, default=500, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.source, args.out, args.shard_size)))
        return
    summary = measure(args.tries)
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(f"{'case':<22} {'import s':>9} {'run s':>7} {'process s':>10}   (medians of {args.tries})")
    for name in cases({}, {}):
        row = summary[name]
        print(f"{name:<22} {row['import_s']:>9} {row['run_s']:>7} {row['wall_s']:>10}")
    print(f"fixed cost of Prefect (run call, whole process): {json.dumps(summary['fixed_cost_s'])}")
    print(f"cost per shard (local runner, flow): {json.dumps(summary['per_shard_s'])}")


if __name__ == "__main__":
    main()
