"""report.md: the report as Markdown, for terminals, pull requests and the Prefect artifact."""

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


def table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(report: dict) -> str:
    run = report["run"]
    parts = [
        f"# ftprep report: {run['name']}",
        f"Target `{run['target']}`, model `{run['model']}` (encoding `{run['encoding']}`, "
        f"limit {run['token_limit']} tokens per example).",
        "## Ledger",
        table(*ledger_table(report)),
        "Every input is either used or rejected, and every generated example is in train, validation or "
        "`rejects.jsonl`: the ledger balances.",
        "## Funnel",
        table(*funnel_table(report)),
        "## Rejected by reason",
        table(*reasons_table(report)) if report["rejected_by_reason"] else "Nothing was rejected.",
        "## Tokens",
        table(*tokens_table(report)),
        "## Tasks",
        table(*tasks_table(report)),
        "## Duplicates",
        dedup_sentence(report),
        "## Sources",
        table(*sources_table(report)),
    ]
    if report.get("preference"):
        parts += ["## Preference pairs", preference_sentence(report), table(*preference_table(report))]
    if report["warnings"]:
        parts += ["## Warnings", "\n".join(f"- {warning}" for warning in report["warnings"])]
    return "\n\n".join(parts) + "\n"
