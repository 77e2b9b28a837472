"""The report's reading order, defined once: sections of tables, bar charts, sentences and lists.

report.md and report.html render this same outline (Markdown tables; HTML tables and inline SVG bars),
and the Prefect artifacts reuse its tables, so no rendering can drift from another.
"""

from dataclasses import dataclass, field

from pipeline.report.tables import (
    dedup_sentence,
    funnel_table,
    ledger_table,
    preference_sentence,
    preference_table,
    reasons_table,
    sources_table,
    tasks_table,
    tokens_table,
)

LEVEL_MARK = {"ok": "ok", "warn": "WARN", "high": "HIGH"}


@dataclass
class Block:
    kind: str  # table | bars | text | list
    header: list[str] = field(default_factory=list)
    rows: list[list[object]] = field(default_factory=list)  # bars: [[label, value]]
    text: str = ""
    items: list[str] = field(default_factory=list)


@dataclass
class Section:
    title: str
    blocks: list[Block]


def table(header: list[str], rows: list[list[object]]) -> Block:
    return Block("table", header=header, rows=rows)


def risk_table(report: dict) -> tuple[list[str], list[list[object]]]:
    return ["level", "area", "metric", "value", "advice"], [
        [
            LEVEL_MARK[m["level"]],
            m["group"],
            m["metric"],
            m["value"],
            m["advice"] + (f" ({m['detail']})" if m["detail"] else ""),
        ]
        for m in report.get("risk", [])
    ]


def risk_summary(report: dict) -> str:
    levels = [m["level"] for m in report.get("risk", [])]
    high, warn = levels.count("high"), levels.count("warn")
    if not levels:
        return "No risk metrics were computed."
    if high:
        return f"{high} high and {warn} warning-level risks: read the advice before training on this dataset."
    if warn:
        return f"No high risks; {warn} metrics deserve a look."
    return "Every risk metric is ok."


def outline(report: dict) -> list[Section]:
    run = report["run"]
    sections = [
        Section(
            "Overfitting risk",
            [Block("text", text=risk_summary(report)), table(*risk_table(report))],
        ),
        Section(
            "Ledger",
            [
                table(*ledger_table(report)),
                Block(
                    "text",
                    text="Every input is either used or rejected, and every generated example is in a split or "
                    "`rejects.jsonl`: the ledger balances.",
                ),
            ],
        ),
        Section("Funnel", [Block("bars", rows=funnel_bars(report)), table(*funnel_table(report))]),
        Section(
            "Rejected by reason",
            [table(*reasons_table(report)), table(*reject_examples_table(report))]
            if report["rejected_by_reason"]
            else [Block("text", text="Nothing was rejected.")],
        ),
        Section("Coverage", coverage_blocks(report)),
        Section("Leakage between splits", leakage_blocks(report)),
        Section("Tokens", [table(*tokens_table(report)), *histogram_blocks(report), table(*outliers_table(report))]),
        Section("Tasks", [table(*tasks_table(report))]),
        Section("Sources", [table(*sources_table(report))]),
        Section(
            "Language mix",
            [Block("bars", rows=[[language, count] for language, count in report.get("language_mix", {}).items()])],
        ),
        Section(
            "Duplicates and conflicts",
            [Block("text", text=dedup_sentence(report)), *cluster_blocks(report), *conflict_blocks(report)],
        ),
        Section("Personal data, secrets and other flags", findings_blocks(report)),
        Section("Reliability: input that could not be used", reliability_blocks(report)),
    ]
    if report.get("preference"):
        sections.append(
            Section(
                "Preference pairs", [Block("text", text=preference_sentence(report)), table(*preference_table(report))]
            )
        )
    if report["warnings"]:
        sections.append(Section("Warnings", [Block("list", items=list(report["warnings"]))]))
    sections[0].blocks.insert(
        0,
        Block(
            "text",
            text=f"Target {run['target']}, model {run['model']} (encoding {run['encoding']}, limit "
            f"{run['token_limit']} tokens per example).",
        ),
    )
    return sections


def funnel_bars(report: dict) -> list[list[object]]:
    generated = report["ledger"]["examples"]["generated"]
    return [["generated", generated]] + [[f"after {row['stage']}", row["out"]] for row in report["funnel"]]


def reject_examples_table(report: dict) -> tuple[list[str], list[list[object]]]:
    rows = [
        [code, sample["source"], sample["detail"], sample["text"]]
        for code, samples in report.get("reject_examples", {}).items()
        for sample in samples
    ]
    return ["reason", "source", "detail", "example"], rows


def coverage_blocks(report: dict) -> list[Block]:
    cover = report.get("coverage")
    if not cover:
        return [Block("text", text="No coverage data.")]
    blocks = [
        Block(
            "text",
            text=f"{cover['documents_with_examples']} of {cover['documents']} documents and "
            f"{cover['sections_with_examples']} of {cover['sections']} sections yielded at least one kept example.",
        )
    ]
    if cover["documents_without_examples"]:
        rows = [[d["source"], d["reason"]] for d in cover["documents_without_examples"]]
        blocks.append(table(["document without examples", "why"], rows))
    if cover["sections_without_examples"]:
        rows = [[s["source"], s["section"], s["reason"]] for s in cover["sections_without_examples"]]
        blocks.append(table(["source", "section without examples", "why"], rows))
        if cover["sections_without_examples_total"] > len(rows):
            blocks.append(Block("text", text=f"… and {cover['sections_without_examples_total'] - len(rows)} more."))
    return blocks


def leakage_blocks(report: dict) -> list[Block]:
    leakage = report.get("leakage") or {}
    if not leakage:
        return [Block("text", text="Not measured.")]
    rows = [
        [split, n["examples"], n["near_duplicates"], n["ngram_overlap"], f"{n['ngram_overlap_share']:.1%}"]
        for split, n in leakage.items()
    ]
    blocks = [table(["held-out split", "examples", "near duplicates of train", "share 13-grams", "share"], rows)]
    for split, n in leakage.items():
        listed = [f"{p['held']} ~ {p['train']} (Jaccard {p['jaccard']})" for p in n["near_duplicate_pairs"]]
        listed += [f"{example_id}: shares a 13-word passage with train" for example_id in n["ngram_overlap_ids"]]
        if listed:
            blocks.append(Block("list", items=[f"{split}: {item}" for item in listed]))
    return blocks


def histogram_blocks(report: dict) -> list[Block]:
    return [
        Block("bars", text=f"{split}: examples per token count", rows=[[b["bin"], b["examples"]] for b in bins])
        for split, bins in report.get("token_histograms", {}).items()
    ]


def outliers_table(report: dict) -> tuple[list[str], list[list[object]]]:
    labels = {
        "longest": "longest",
        "answer_much_longer": "answer ≥ 20x prompt",
        "answer_much_shorter": "answer ≤ 1/20 prompt",
    }
    rows = [
        [labels[kind], o["id"], o["source"], o["n_tokens"], o["ratio"], o["prompt"]]
        for kind, found in report.get("outliers", {}).items()
        for o in found
    ]
    return ["outlier", "id", "source", "tokens", "answer/prompt", "prompt"], rows


def cluster_blocks(report: dict) -> list[Block]:
    clusters = report.get("duplicate_clusters")
    if not clusters or not clusters["clusters"]:
        return []
    return [
        Block("text", text=f"{clusters['clusters']} clusters of duplicates; sizes (kept example included):"),
        Block("bars", rows=[[f"size {h['size']}", h["clusters"]] for h in clusters["size_histogram"]]),
        table(
            ["kept id", "cluster size", "removed (first ids)"],
            [[c["kept"], c["size"], ", ".join(c["removed_ids"])] for c in clusters["largest"]],
        ),
    ]


def conflict_blocks(report: dict) -> list[Block]:
    found = report.get("conflicts")
    if not found:
        return []
    text = (
        f"{found['groups']} prompts are asked with different answers ({found['examples']} examples, kept together "
        f"on one side of the split); {found['rejected']} examples were rejected as conflicts."
    )
    rows = [[entry["prompt"], ", ".join(entry["ids"])] for entry in found["listed"]]
    return [Block("text", text=text), *([table(["prompt", "example ids"], rows)] if rows else [])]


def reliability_blocks(report: dict) -> list[Block]:
    found = report.get("reliability")
    if not found or not found["by_reason"]:
        return [Block("text", text="Every input file and record could be read.")]
    text = (
        f"{found['documents_rejected']} files and {found['records_rejected']} records could not be used; each is in "
        "rejects.jsonl with its reason."
    )
    rows = [[entry["source"], entry["reason"], entry["detail"]] for entry in found["listed"]]
    return [
        Block("text", text=text),
        table(["reason", "count"], [[code, count] for code, count in found["by_reason"].items()]),
        table(["source", "reason", "detail"], rows),
    ]


def findings_blocks(report: dict) -> list[Block]:
    found = report.get("findings") or {}
    sensitive = report.get("sensitive") or []
    blocks = []
    if sensitive:
        rows = [[s["type"], s["action"], s["examples"], s["occurrences"]] for s in sensitive]
        blocks.append(table(["secret or personal data", "action", "examples", "occurrences"], rows))
    else:
        blocks.append(Block("text", text="No secret or personal data was found."))
    if found:
        blocks.append(table(["quality rule", "examples rejected"], [[rule, count] for rule, count in found.items()]))
    return blocks
