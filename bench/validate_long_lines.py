"""`ftprep validate` on very long lines: time and peak memory must grow linearly with a line's length.

Files (seeded, written under bench/out/long-lines/): one record whose assistant answer is a 20 MB run of
one letter (one tokenizer piece), one whose answer is 20 MB of words, and one record of 100,000 messages.
Each is validated by `ftprep validate --target openai-chat` in its own process (exact token counts,
default workers); the figure is wall time and the process tree's peak RSS. `--baseline DIR` runs the
same files against another checkout (e.g. `git archive <commit> | tar -x -C DIR`) in the same run, so
the two columns are measured side by side on the same machine load.

    python -m bench.validate_long_lines [--megabytes 20] [--baseline DIR] [--json]
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "long-lines"
MEASURE = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "done = subprocess.run([sys.executable, '-m', 'flows.cli', 'validate', sys.argv[1], '--target', 'openai-chat'],"
    " capture_output=True, text=True)\n"
    "seconds = time.perf_counter() - start\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-300:]\n"
    "print(seconds, peak // 1024, done.returncode, last)\n"
)


def write_files(megabytes: int, seed: int = 20261204) -> dict[str, Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    size = megabytes * 1_000_000
    rng = random.Random(seed)
    vocabulary = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(5000)
    ]
    words = " ".join(rng.choice(vocabulary) for _ in range(size // 6))[:size]
    messages = []
    for i in range(50_000):
        messages += [{"role": "user", "content": f"Question {i}?"}, {"role": "assistant", "content": f"Answer {i}."}]
    records = {
        "one-piece": {"messages": [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "a" * size}]},
        "words": {"messages": [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": words}]},
        "100k-messages": {"messages": messages},
    }
    paths = {}
    for name, record in records.items():
        path = OUT / f"{name}-{megabytes}mb.jsonl" if name != "100k-messages" else OUT / f"{name}.jsonl"
        if not path.exists():
            path.write_text(json.dumps(record) + "\n", encoding="utf-8")
        paths[name] = path
    return paths


def measure(path: Path, checkout: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, check=True, env=env, cwd=checkout
    )
    seconds, peak_mb, code, last = out.stdout.strip().split(" ", 3)
    return {"seconds": round(float(seconds), 2), "peak_rss_mb": int(peak_mb), "exit": int(code), "summary": last}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=20)
    parser.add_argument("--baseline", type=Path, help="another checkout to measure side by side")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results = {}
    for name, path in write_files(args.megabytes).items():
        row = {"bytes": path.stat().st_size, "this": measure(path, ROOT)}
        if args.baseline:
            row["baseline"] = measure(path, args.baseline.resolve())
        results[name] = row
    if args.json:
        print(json.dumps({"measured": started, "files": results}, indent=2))
        return
    for name, row in results.items():
        cells = [
            f"{label} {row[label]['seconds']} s, {row[label]['peak_rss_mb']} MB"
            for label in ("baseline", "this")
            if label in row
        ]
        print(f"{name} ({row['bytes']:,} bytes): " + "; ".join(cells))


if __name__ == "__main__":
    main()
