"""report.md: the report outline as Markdown, for terminals, pull requests and the Prefect artifact."""

from pipeline.report.outline import Part, outline


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


def render_markdown(report: dict) -> str:
    parts = [f"# ftprep report: {report['run']['name']}"]
    for section in outline(report):
        parts.append(f"## {section.title}")
        parts += [rendered(item) for item in section.parts]
    return "\n\n".join(parts) + "\n"
