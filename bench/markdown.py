"""Markdown reader throughput (MB/s of UTF-8 source): pipeline/ingest/markdown.py next to its parts.

Measures, on every `*.md` file under the given folders (default: the synthetic pages of bench/corpus.py):
the whole reader (`markdown_to_text`), pyromark's event stream alone (the parser's floor in Python),
and `normalize_text` (what every reader's output goes through anyway). Best of `--repeat` rounds,
one process.

    python -m bench.markdown [FOLDER ...] [--repeat 5] [--json]
"""

import argparse
import json
import random
import time
from collections.abc import Callable
from pathlib import Path

from bench.corpus import page
from pipeline.ingest.markdown import PARSER, markdown_to_text
from pipeline.ingest.text import normalize_text


def best_seconds(function: Callable[[str], object], texts: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for text in texts:
            function(text)
        best = min(best, time.perf_counter() - started)
    return best


def measure(texts: list[str], repeat: int) -> dict:
    megabytes = sum(len(text.encode("utf-8")) for text in texts) / 1e6
    contenders = {
        "markdown_to_text": markdown_to_text,
        "pyromark events only": lambda text: list(PARSER.events(text)),
        "normalize_text": normalize_text,
    }
    seconds = {name: best_seconds(function, texts, repeat) for name, function in contenders.items()}
    return {
        "files": len(texts),
        "megabytes": round(megabytes, 2),
        "mb_per_s": {name: round(megabytes / spent, 1) for name, spent in seconds.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.folders:
        texts = [path.read_text(encoding="utf-8") for folder in args.folders for path in sorted(folder.rglob("*.md"))]
    else:
        rng = random.Random(7)
        texts = [page(rng, number) for number in range(2000)]
    result = measure(texts, args.repeat)
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['files']} files, {result['megabytes']} MB")
    for name, rate in result["mb_per_s"].items():
        print(f"  {name:22} {rate:7.1f} MB/s")


if __name__ == "__main__":
    main()
