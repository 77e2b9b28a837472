"""`ftprep validate` against the tools users use today, side by side in one run, on seeded files.

Files: N lines of OpenAI chat records (a system prompt, 1-3 user/assistant exchanges of one question and
a 1-3 sentence answer; 100,000 lines make about 85 MB, the size of the file the issue was measured on),
once clean and once with 1% defects of known kinds at known lines. Contenders, each timed around the work itself:
- cookbook: a per-line loop following OpenAI's data-prep notebook (json.loads, its format checks,
  num_tokens_from_messages with the model's encoding), reimplemented here from its documented logic;
- ftprep: `validate_files` with exact token counts (process pool over the available cores);
- ftprep --no-tokens: structure and semantics only;
- together: `together files check` (together 3.1.1 `check_file`), run in its own virtualenv,
  bench/.venv-together, since it is not a dependency of ftprep.
Peak RSS of a separate `ftprep validate` process on the defect file is reported too.

    python -m bench.validate [--lines 100000] [--repeat 3] [--json]
"""

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out" / "validate"
TOGETHER_PYTHON = Path(__file__).resolve().parent / ".venv-together" / "bin" / "python"
WORDS = tuple("the heat pump battery warranty hub app tariff export solar panel install customer engineer".split(" "))
DEFECTS = ("invalid_json", "no_assistant", "content_not_string", "unknown_role", "extra_key", "empty_answer")


def sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."


def record(rng: random.Random) -> dict:
    messages = [{"role": "system", "content": "You are Brightwater Energy's support assistant. Be accurate and kind."}]
    for _ in range(rng.randint(1, 3)):
        messages.append({"role": "user", "content": sentence(rng, 8, 40)})
        messages.append(
            {"role": "assistant", "content": " ".join(sentence(rng, 8, 25) for _ in range(rng.randint(1, 3)))}
        )
    return {"messages": messages}


def defective(rng: random.Random, kind: str) -> str:
    value = record(rng)
    if kind == "invalid_json":
        return json.dumps(value)[:-2]
    if kind == "no_assistant":
        value["messages"] = value["messages"][:2]
    elif kind == "content_not_string":
        value["messages"][-1]["content"] = 42
    elif kind == "unknown_role":
        value["messages"][1]["role"] = "customer"
    elif kind == "extra_key":
        value["metadata"] = {"source": "crm"}
    elif kind == "empty_answer":
        value["messages"][-1]["content"] = "   "
    return json.dumps(value)


def write_files(lines: int, seed: int = 20261129) -> tuple[Path, Path, dict[int, str]]:
    OUT.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    clean_lines = [json.dumps(record(rng)) for _ in range(lines)]
    planted = {
        number: DEFECTS[i % len(DEFECTS)]
        for i, number in enumerate(sorted(rng.sample(range(1, lines + 1), lines // 100)))
    }
    defect_lines = [defective(rng, planted[n]) if n in planted else text for n, text in enumerate(clean_lines, start=1)]
    clean, broken = OUT / f"clean-{lines}.jsonl", OUT / f"defects-{lines}.jsonl"
    clean.write_text("\n".join(clean_lines) + "\n", encoding="utf-8")
    broken.write_text("\n".join(defect_lines) + "\n", encoding="utf-8")
    return clean, broken, planted


def cookbook(path: Path, encoding_name: str = "o200k_base") -> dict:
    """The notebook's logic: load every line, count format errors, count tokens per conversation."""
    from pipeline.tokens import load_encoding

    encoding = load_encoding(encoding_name)
    started = time.perf_counter()
    errors: dict[str, int] = {}
    dataset = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                dataset.append(json.loads(line))
            except json.JSONDecodeError:
                errors["json"] = errors.get("json", 0) + 1  # the notebook itself would crash here
    for example in dataset:
        if not isinstance(example, dict) or not example.get("messages"):
            errors["missing_messages_list"] = errors.get("missing_messages_list", 0) + 1
            continue
        for message in example["messages"]:
            if "role" not in message or "content" not in message:
                errors["message_missing_key"] = errors.get("message_missing_key", 0) + 1
            if any(k not in ("role", "content", "name", "function_call", "weight") for k in message):
                errors["message_unrecognized_key"] = errors.get("message_unrecognized_key", 0) + 1
            if message.get("role") not in ("system", "user", "assistant", "function"):
                errors["unrecognized_role"] = errors.get("unrecognized_role", 0) + 1
            content = message.get("content")
            if not content or not isinstance(content, str):
                errors["missing_content"] = errors.get("missing_content", 0) + 1
        if not any(message.get("role") == "assistant" for message in example["messages"]):
            errors["example_missing_assistant_message"] = errors.get("example_missing_assistant_message", 0) + 1
    lengths = []
    for example in dataset:
        if not isinstance(example, dict) or not example.get("messages"):
            continue
        total = 3
        for message in example["messages"]:
            total += 3
            for value in message.values():
                if isinstance(value, str):  # the notebook crashes on non-strings; skip them instead
                    total += len(encoding.encode(value, disallowed_special=()))
        lengths.append(total)
    return {"seconds": time.perf_counter() - started, "format_errors": sum(errors.values()), "tokens": sum(lengths)}


def ftprep(path: Path, tokens: bool) -> dict:
    from pipeline.checks.validate.engine import Options, validate_files
    from pipeline.tokens import load_encoding

    load_encoding("o200k_base")
    started = time.perf_counter()
    result = validate_files([path], Options("openai-chat", "gpt-4o-mini", tokens=tokens))
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "error_lines": sorted({f.line for f in result.errors if f.line}),
        "tokens": (result.stats.get("tokens") or {}).get("total"),
    }


def together(path: Path) -> dict | None:
    if not TOGETHER_PYTHON.exists():
        return None
    code = (
        "import json, sys, time\nfrom together.lib.utils.files import check_file\n"
        "started = time.perf_counter(); report = check_file(sys.argv[1]); seconds = time.perf_counter() - started\n"
        "print(json.dumps({'seconds': seconds, 'is_check_passed': bool(report.get('is_check_passed'))}))"
    )
    out = subprocess.run([str(TOGETHER_PYTHON), "-c", code, str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def peak_rss(path: Path) -> int:
    code = (
        "import resource, sys\nfrom pipeline.checks.validate.engine import Options, validate_files\n"
        "validate_files([sys.argv[1]], Options('openai-chat', 'gpt-4o-mini'))\n"
        "self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(max(self_kb, children_kb) // 1024, self_kb // 1024, children_kb // 1024)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[0])


def median_run(results: list[dict]) -> dict:
    return sorted(results, key=lambda result: result["seconds"])[len(results) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; each contender's median round is reported")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    clean, broken, planted = write_files(args.lines)
    contenders = {
        "cookbook_clean": lambda: cookbook(clean),
        "ftprep_clean": lambda: ftprep(clean, tokens=True),
        "ftprep_no_tokens_clean": lambda: ftprep(clean, tokens=False),
        "together_clean": lambda: together(clean),
        "cookbook_defects": lambda: cookbook(broken),
        "ftprep_defects": lambda: ftprep(broken, tokens=True),
    }
    # Rounds interleave the contenders, and each keeps its median round: on a shared machine one slow
    # moment then hits one round of one contender, not the ratio.
    runs: dict[str, list[dict]] = {name: [] for name in contenders}
    for _ in range(args.repeat):
        for name, run in contenders.items():
            result = run()
            if result is not None:
                runs[name].append(result)
    rows = {name: median_run(results) for name, results in runs.items() if results}
    rows.setdefault("together_clean", None)
    found = set(rows["ftprep_defects"]["error_lines"])
    summary = {
        "lines": args.lines,
        "file_mb": round(clean.stat().st_size / 1e6, 1),
        "planted_defects": len(planted),
        "defects_reported": len(found & set(planted)),
        "false_error_lines": len(found - set(planted)),
        "tokens_equal_cookbook": rows["ftprep_clean"]["tokens"] == rows["cookbook_clean"]["tokens"],
        "x_cookbook_clean": round(rows["cookbook_clean"]["seconds"] / rows["ftprep_clean"]["seconds"], 2),
        "x_cookbook_defects": round(rows["cookbook_defects"]["seconds"] / rows["ftprep_defects"]["seconds"], 2),
        "no_tokens_x_together": round(rows["together_clean"]["seconds"] / rows["ftprep_no_tokens_clean"]["seconds"], 2)
        if rows["together_clean"]
        else None,
        "repeat": args.repeat,
        "seconds": {name: round(row["seconds"], 2) for name, row in rows.items() if row},
        "seconds_each_round": {name: [round(r["seconds"], 2) for r in results] for name, results in runs.items()},
        "peak_rss_mb_defects": peak_rss(broken),
    }
    print(
        json.dumps(summary, indent=2) if args.json else "\n".join(f"{key}: {value}" for key, value in summary.items())
    )


if __name__ == "__main__":
    main()
