"""Sensitive-data detectors on tests/data/sensitive/handbook.jsonl: recall on planted values, false alarms on negatives.

Recall counts a planted value as caught when `redact` (every kind) leaves none of it in the text, whatever type
found it, so detectors of another checkout compare by what reaches train.jsonl. A negative line is a false
alarm when `scan` finds anything in it; a positive line with a finding of a type nobody planted is one too.
Run it with the checkout to measure on the path: `PYTHONPATH=/work/main python bench/sensitive.py` measures the
code before a change on the same lines.

    PYTHONPATH=. python bench/sensitive.py [--json] [--run DIR]

`--run DIR` lists instead the personal data in a prepare run's outputs (train, validation and rejects: every
example ends in one of them), value by value, as the run's detectors see it.
"""

import argparse
import json
from collections import defaultdict
from pathlib import Path

import polars as pl

from pipeline.sensitive.detectors import DETECTORS
from pipeline.sensitive.policy import redact, scan

LINES = Path(__file__).resolve().parent.parent / "tests" / "data" / "sensitive" / "handbook.jsonl"


def measure(rows: list[dict]) -> dict[str, dict[str, int]]:
    """Per case: planted values and those caught, lines and those flagged with a type nobody planted there."""
    frame = pl.DataFrame({"id": [str(i) for i in range(len(rows))], "system": [row["text"] for row in rows]})
    redacted = redact(frame)["system"].to_list()
    found = scan(frame)
    types = found.group_by("id").agg(pl.col("type").unique())
    flagged = {key: set(value) for key, value in zip(types["id"], types["type"], strict=True)}
    cases: dict[str, dict[str, int]] = defaultdict(lambda: {"planted": 0, "caught": 0, "lines": 0, "false_alarms": 0})
    for index, (row, text) in enumerate(zip(rows, redacted, strict=True)):
        case = cases[row["case"]]
        case["lines"] += 1
        values = [row["text"][finding["start"] : finding["end"]] for finding in row["findings"]]
        case["planted"] += len(values)
        case["caught"] += sum(value not in text for value in values)
        planted_types = {finding["type"] for finding in row["findings"]}
        case["false_alarms"] += bool(flagged.get(str(index), set()) - planted_types)
    return dict(cases)


def table(cases: dict[str, dict[str, int]]) -> str:
    lines = ["| case | lines | planted | caught | lines with a false alarm |", "|---|---|---|---|---|"]
    for name, case in sorted(cases.items(), key=lambda item: (item[1]["planted"] == 0, item[0])):
        planted = str(case["planted"]) if case["planted"] else "-"
        caught = str(case["caught"]) if case["planted"] else "-"
        lines.append(f"| {name} | {case['lines']} | {planted} | {caught} | {case['false_alarms']} |")
    planted = sum(case["planted"] for case in cases.values())
    caught = sum(case["caught"] for case in cases.values())
    negatives = [case for case in cases.values() if not case["planted"]]
    alarms = sum(case["false_alarms"] for case in negatives)
    lines.append(
        f"\nrecall {caught}/{planted} = {caught / planted:.1%}; negative lines flagged {alarms}/"
        f"{sum(case['lines'] for case in negatives)}"
    )
    return "\n".join(lines)


def run_findings(run: Path) -> pl.DataFrame:
    """(type, value, examples) of the personal data in a run's outputs, most frequent first."""
    rows = []
    for name in ("train.jsonl", "validation.jsonl", "rejects.jsonl"):
        for number, line in enumerate((run / name).read_text(encoding="utf-8").splitlines()):
            record = json.loads(line)
            text = "\n".join(message["content"] or "" for message in record.get("messages") or [])
            rows.append({"id": f"{name}:{number}", "system": text})
    frame = pl.DataFrame(rows)
    found = []
    for detector in (d for d in DETECTORS if d.kind == "personal_data"):
        candidates = frame.select("id", value=pl.col("system").str.extract_all(detector.pattern)).explode("value")
        for example, candidate in candidates.drop_nulls("value").iter_rows():
            found += [{"type": detector.type, "value": value, "id": example} for value in detector.check(candidate)]
    if not found:
        return pl.DataFrame(schema={"type": pl.String, "value": pl.String, "examples": pl.UInt32})
    frame = pl.DataFrame(found).group_by("type", "value").agg(examples=pl.col("id").n_unique())
    return frame.sort("examples", "value", descending=[True, False])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the per-case counts as JSON")
    parser.add_argument("--run", type=Path, help="a prepare output folder: list the personal data in it")
    args = parser.parse_args()
    if args.run:
        with pl.Config(tbl_rows=200, fmt_str_lengths=60):
            print(run_findings(args.run))
        return
    rows = [json.loads(line) for line in LINES.read_text(encoding="utf-8").splitlines()]
    cases = measure(rows)
    print(json.dumps(cases, indent=2) if args.json else table(cases))


if __name__ == "__main__":
    main()
