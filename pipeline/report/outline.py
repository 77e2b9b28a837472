"""The report's reading order, defined once: sections of tables, bar charts, sentences and lists.

report.md (also the `ftprep-report` artifact) and report.html render this same outline (Markdown tables;
HTML tables and inline SVG bars), so neither can drift from the other; the `ftprep-funnel` table artifact
publishes report.json's `funnel` list directly, and `ftprep-risk` its `risk` list as Markdown
(markdown.render_risk_markdown).
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
class Part:
    """One piece of a section: a table, a bar chart, a sentence or a list."""

    kind: str  # table | bars | text | list
    header: list[str] = field(default_factory=list)
    rows: list[list[object]] = field(default_factory=list)  # bars: [[label, value]]
    text: str = ""
    items: list[str] = field(default_factory=list)


@dataclass
class Section:
    title: str
    parts: list[Part]


def table(header: list[str], rows: list[list[object]]) -> Part:
    return Part("table", header=header, rows=rows)


def risk_table(report: dict) -> tuple[list[str], list[list[object]]]:
    return ["level", "area", "metric", "value", "advice"], [
        [
            LEVEL_MARK[m["level"]],
            m["group"],
            m["metric"],
            m["value"],
            advice_with_detail(m),
        ]
        for m in report.get("risk", [])
    ]


def advice_with_detail(metric: dict) -> str:
    return metric["advice"] + (f" ({metric['detail']})" if metric["detail"] else "")


def risk_summary(report: dict) -> str:
    levels = [m["level"] for m in report.get("risk", [])]
    high, warn = levels.count("high"), levels.count("warn")
    if not levels:
        return "No risk metrics were computed."
    if high:
        return f"{high} high and {warn} warning-level risks: read the advice before training on this dataset."
    if warn:
        return f"No high risks; {warn} {'metric deserves' if warn == 1 else 'metrics deserve'} a look."
    return "Every risk metric is ok."


def outline(report: dict) -> list[Section]:
    run = report["run"]
    sections = [
        Section(
            "Overfitting risk",
            [Part("text", text=risk_summary(report)), table(*risk_table(report))],
        ),
        Section(
            "Ledger",
            [
                table(*ledger_table(report)),
                Part(
                    "text",
                    text="Every input is either used or rejected, and every generated example is in a split or "
                    "`rejects.jsonl`: the ledger balances.",
                ),
            ],
        ),
        Section("Funnel", [Part("bars", rows=funnel_bars(report)), table(*funnel_table(report))]),
        Section(
            "Rejected by reason",
            [table(*reasons_table(report)), table(*reject_examples_table(report))]
            if report["rejected_by_reason"]
            else [Part("text", text="Nothing was rejected.")],
        ),
        Section("Coverage", coverage_parts(report)),
        Section("Leakage between splits", leakage_parts(report)),
        Section("Tokens", [table(*tokens_table(report)), *histogram_parts(report), table(*outliers_table(report))]),
        Section("Tasks", [table(*tasks_table(report))]),
        Section("Sources", [table(*sources_table(report))]),
        Section(
            "Language mix",
            [Part("bars", rows=[[language, count] for language, count in report.get("language_mix", {}).items()])],
        ),
        Section(
            "Duplicates and conflicts",
            [Part("text", text=dedup_sentence(report)), *cluster_parts(report), *conflict_parts(report)],
        ),
        Section("Personal data, secrets and other flags", findings_parts(report)),
        Section("Reliability: input that could not be used", reliability_parts(report)),
    ]
    if report.get("llm"):
        sections.append(Section("LLM usage", llm_parts(report["llm"])))
    if report.get("preference"):
        sections.append(
            Section(
                "Preference pairs", [Part("text", text=preference_sentence(report)), table(*preference_table(report))]
            )
        )
    if report["warnings"]:
        sections.append(Section("Warnings", [Part("list", items=list(report["warnings"]))]))
    sections[0].parts.insert(
        0,
        Part(
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


def coverage_parts(report: dict) -> list[Part]:
    cover = report.get("coverage")
    if not cover:
        return [Part("text", text="No coverage data.")]
    parts = [
        Part(
            "text",
            text=f"{cover['documents_with_examples']} of {cover['documents']} documents and "
            f"{cover['sections_with_examples']} of {cover['sections']} sections yielded at least one kept example.",
        )
    ]
    if cover["documents_without_examples"]:
        rows = [[d["source"], d["reason"]] for d in cover["documents_without_examples"]]
        parts.append(table(["document without examples", "why"], rows))
    if cover["sections_without_examples"]:
        rows = [[s["source"], s["section"], s["reason"]] for s in cover["sections_without_examples"]]
        parts.append(table(["source", "section without examples", "why"], rows))
        if cover["sections_without_examples_total"] > len(rows):
            parts.append(Part("text", text=f"… and {cover['sections_without_examples_total'] - len(rows)} more."))
    return parts


def leakage_parts(report: dict) -> list[Part]:
    leakage = report.get("leakage") or {}
    if not leakage:
        return [Part("text", text="Not measured.")]
    rows = [
        [split, n["examples"], n["near_duplicates"], n["ngram_overlap"], f"{n['ngram_overlap_share']:.1%}"]
        for split, n in leakage.items()
    ]
    parts = [table(["held-out split", "examples", "near duplicates of train", "share 13-grams", "share"], rows)]
    for split, n in leakage.items():
        listed = [f"{p['held']} ~ {p['train']} (Jaccard {p['jaccard']})" for p in n["near_duplicate_pairs"]]
        listed += [f"{example_id}: shares a 13-word passage with train" for example_id in n["ngram_overlap_ids"]]
        if listed:
            parts.append(Part("list", items=[f"{split}: {item}" for item in listed]))
    return parts


def histogram_parts(report: dict) -> list[Part]:
    return [
        Part("bars", text=f"{split}: examples per token count", rows=[[b["bin"], b["examples"]] for b in bins])
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


def cluster_parts(report: dict) -> list[Part]:
    clusters = report.get("duplicate_clusters")
    if not clusters or not clusters["clusters"]:
        return []
    return [
        Part("text", text=f"{clusters['clusters']} clusters of duplicates; sizes (kept example included):"),
        Part("bars", rows=[[f"size {h['size']}", h["clusters"]] for h in clusters["size_histogram"]]),
        table(
            ["kept id", "cluster size", "removed (first ids)"],
            [[c["kept"], c["size"], ", ".join(c["removed_ids"])] for c in clusters["largest"]],
        ),
    ]


def conflict_parts(report: dict) -> list[Part]:
    found = report.get("conflicts")
    if not found:
        return []
    text = (
        f"{found['groups']} prompts are asked with different answers ({found['examples']} examples; the split keeps "
        "a group on one side when its prompts are identical after lower-casing and have five or more words); "
        f"{found['rejected']} examples were rejected as conflicts."
    )
    rows = [[entry["prompt"], ", ".join(entry["ids"])] for entry in found["listed"]]
    return [Part("text", text=text), *([table(["prompt", "example ids"], rows)] if rows else [])]


def reliability_parts(report: dict) -> list[Part]:
    found = report.get("reliability")
    if not found or not found["by_reason"]:
        return [Part("text", text="Every input file and record could be read.")]
    text = (
        f"{found['documents_rejected']} files and {found['records_rejected']} records could not be used; each is in "
        "rejects.jsonl with its reason."
    )
    rows = [[entry["source"], entry["reason"], entry["detail"]] for entry in found["listed"]]
    return [
        Part("text", text=text),
        table(["reason", "count"], [[code, count] for code, count in found["by_reason"].items()]),
        table(["source", "reason", "detail"], rows),
    ]


def findings_parts(report: dict) -> list[Part]:
    found = report.get("findings") or {}
    sensitive = report.get("sensitive") or []
    parts = []
    if sensitive:
        rows = [[s["type"], s["action"], s["examples"], s["occurrences"]] for s in sensitive]
        parts.append(table(["secret or personal data", "action", "examples", "occurrences"], rows))
    else:
        parts.append(Part("text", text="No secret or personal data was found."))
    if found:
        parts.append(table(["quality rule", "examples rejected"], [[rule, count] for rule, count in found.items()]))
    return parts


def llm_parts(usage: dict) -> list[Part]:
    """Requests, cache hits, tokens and cost of the run's LLM stages; what became of rephrased prompts."""
    rows: list[list[object]] = [
        ["requests sent (retries included)", usage["requests"]],
        ["cache hits (free)", usage["cache_hits"]],
        ["prompt tokens", usage["prompt_tokens"]],
        ["completion tokens", usage["completion_tokens"]],
        ["estimated cost (USD)", usage["cost_usd"]],
        ["sections that failed", usage["failed_sections"]],
        ["budget reached", "yes" if usage["budget_exhausted"] else "no"],
    ]
    if "rephrased" not in usage:
        return [table(["LLM usage", "value"], rows)]
    rows += [
        ["prompts rephrased", usage["rephrased"]],
        ["prompts that kept their template question", usage["rephrase_fallback"]],
    ]
    parts = [table(["LLM usage", "value"], rows)]
    reasons = usage.get("rephrase_fallback_reasons") or {}
    if reasons:
        parts.append(table(["why a template question was kept", "prompts"], [[code, n] for code, n in reasons.items()]))
    return parts
