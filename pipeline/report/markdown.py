"""report.md: the report as Markdown, for terminals, pull requests and the Prefect artifact."""


def table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(report: dict) -> str:
    run, ledger = report["run"], report["ledger"]
    docs, examples = ledger["documents"], ledger["examples"]
    parts = [
        f"# ftprep report: {run['name']}",
        f"Target `{run['target']}`, model `{run['model']}` (encoding `{run['encoding']}`, "
        f"limit {run['token_limit']} tokens per example).",
        "## Ledger",
        table(
            ["records", "inputs", "train", "validation", "rejected"],
            [
                ["documents", docs["inputs"], f"{docs['used']} used", "", docs["rejected"]],
                ["examples", examples["generated"], examples["train"], examples["validation"], examples["rejected"]],
            ],
        ),
        "Every input is either used or rejected, and every generated example is in train, validation or "
        "`rejects.jsonl`: the ledger balances.",
        "## Funnel",
        table(
            ["stage", "in", "rejected", "out"],
            [[row["stage"], row["in"], row["rejected"], row["out"]] for row in report["funnel"]],
        ),
        "## Rejected by reason",
        table(["stage.reason", "count"], [[code, count] for code, count in report["rejected_by_reason"].items()])
        if report["rejected_by_reason"]
        else "Nothing was rejected.",
        "## Tokens",
        table(
            ["split", "examples", "total", "mean", "p50", "p95", "max"],
            [
                [split, s["examples"], s["total"], s["mean"], s["p50"], s["p95"], s["max"]]
                for split, s in report["tokens"].items()
            ],
        ),
        "## Tasks",
        table(
            ["task", "train", "validation"],
            [[task, c["train"], c["validation"]] for task, c in report["by_task"].items()],
        ),
        "## Duplicates",
        f"{report['dedup']['exact_removed']} exact and {report['dedup']['near_removed']} near duplicates removed; "
        f"{report['dedup']['clusters']} kept examples had near duplicates.",
        "## Sources",
        table(
            ["source", "train", "validation", "rejected", "documents rejected"],
            [
                [s["source"], s["train"], s["validation"], s["rejected"], s["documents_rejected"]]
                for s in report["by_source"]
            ],
        ),
    ]
    if report["warnings"]:
        parts += ["## Warnings", "\n".join(f"- {warning}" for warning in report["warnings"])]
    return "\n\n".join(parts) + "\n"
