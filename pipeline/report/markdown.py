"""report.md: the report outline as Markdown, for terminals, pull requests and the Prefect artifact; and
the overfitting risk alone as Markdown for its own artifact."""

from pipeline.report.outline import Part, Section, advice_with_detail, outline, risk_summary

RISK_LEVELS = {"high": "High", "warn": "Warning", "ok": "Ok"}  # worst first


def table(header: list[str], rows: list[list[object]]) -> str:
    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def rendered(item: Part) -> str:
    if item.kind == "table":
        return table(item.header, item.rows) if item.rows else "(none)"
    if item.kind == "bars":
        heading = f"{item.text}\n\n" if item.text else ""
        return heading + (table(["", "count"], item.rows) if item.rows else "(none)")
    if item.kind == "list":
        return "\n".join(f"- {entry}" for entry in item.items)
    return item.text


def render_markdown(report: dict, sections: list[Section] | None = None) -> str:
    """The report as Markdown; `sections` is the report's outline when the caller has made it already."""
    parts = [f"# ftprep report: {report['run']['name']}"]
    for section in outline(report) if sections is None else sections:
        parts.append(f"## {section.title}")
        parts += [rendered(item) for item in section.parts]
    return "\n\n".join(parts) + "\n"


def render_risk_markdown(report: dict) -> str:
    """The `ftprep-risk` artifact: a list item per metric, worst level first, the advice in full.

    Not a table artifact: Prefect's UI draws each table cell on one line (`white-space: nowrap`), so the
    advice runs past the table's edge (cut off in the v1 UI, behind a sideways scroll and a tooltip in v2),
    ten rows a page. Not a Markdown table either: Markdown shows at prose width (65 characters), where five
    columns leave the advice a narrow strip. A list item wraps at the width of the page.
    """
    parts = [f"# Overfitting risk: {report['run']['name']}", risk_summary(report)]
    for level, heading in RISK_LEVELS.items():
        metrics = [m for m in report.get("risk", []) if m["level"] == level]
        if metrics:
            parts.append(f"## {heading} ({len(metrics)})")
            parts.append(
                "\n".join(
                    f"- {m['group']} · `{m['metric']}` = {m['value']}: {advice_with_detail(m)}".replace("\n", " ")
                    for m in metrics
                )
            )
    return "\n\n".join(parts) + "\n"
