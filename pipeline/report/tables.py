"""The report's tables as (header, rows), defined once for report.md and report.html (through the outline)."""

from pipeline.report.length_bias import longer_chosen_sentence

Table = tuple[list[str], list[list[object]]]


def ledger_table(report: dict) -> Table:
    docs, examples = report["ledger"]["documents"], report["ledger"]["examples"]
    return (
        ["records", "inputs", "used / train", "validation", "test", "rejected"],
        [
            ["documents", docs["inputs"], docs["used"], "", "", docs["rejected"]],
            [
                "examples",
                examples["generated"],
                examples["train"],
                examples["validation"],
                examples["test"],
                examples["rejected"],
            ],
        ],
    )


def funnel_table(report: dict) -> Table:
    return ["stage", "in", "rejected", "out"], [
        [r["stage"], r["in"], r["rejected"], r["out"]] for r in report["funnel"]
    ]


def reasons_table(report: dict) -> Table:
    return ["stage.reason", "count"], [[code, count] for code, count in report["rejected_by_reason"].items()]


def tokens_table(report: dict) -> Table:
    header = ["split", "examples", "total", "mean", "p50", "p95", "max"]
    return header, [[split, *(stats[column] for column in header[1:])] for split, stats in report["tokens"].items()]


def tasks_table(report: dict) -> Table:
    return ["task", "train", "validation", "test"], [
        [task, c["train"], c["validation"], c["test"]] for task, c in report["by_task"].items()
    ]


def sources_table(report: dict) -> Table:
    columns = ["train", "validation", "test", "rejected", "documents_rejected"]
    rows = [[source["source"], *(source[column] for column in columns)] for source in report["by_source"]]
    return ["source", "train", "validation", "test", "rejected", "documents rejected"], rows


def dedup_sentence(report: dict) -> str:
    dedup = report["dedup"]
    return (
        f"{dedup['exact_removed']} exact and {dedup['near_removed']} near duplicates removed; "
        f"{dedup['clusters']} kept examples had near duplicates."
    )


def preference_table(report: dict) -> Table:
    stats = report.get("preference") or {"by_negative": {}}
    return ["negative", "pairs"], [[negative, count] for negative, count in stats["by_negative"].items()]


def preference_sentence(report: dict) -> str:
    stats = report["preference"]
    said = longer_chosen_sentence(stats["pairs"], stats["chosen_longer_share"])
    if "median_negative_similarity" in stats:  # pairs whose negative is another question's answer
        said += (
            " The questions whose answers became negatives match their prompts with a median similarity of "
            f"{stats['median_negative_similarity']:.2f} (1: every word the prompt asks; "
            "per pair: `negative_similarity`)."
        )
    return said
