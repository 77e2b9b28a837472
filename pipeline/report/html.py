"""report.html: one self-contained page (inline CSS and SVG, no script, no network); all data text escaped."""

from html import escape

from pipeline.report.outline import Part, Section, outline

STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1d2433}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #dde}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{padding:.3rem .6rem;border-bottom:1px solid #eef;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.ok{color:#17692f}.warn{color:#9a5b00}
svg text{font:12px system-ui,sans-serif}
tr.ok td:first-child{color:#17692f}tr.warn td:first-child{color:#9a5b00;font-weight:600}
tr.high td:first-child{color:#b3261e;font-weight:700}tr.high{background:#fdf0ef}
td{vertical-align:top;overflow-wrap:anywhere}
"""


def cells(row: list[object], numeric: set[int]) -> str:
    return "".join(
        f'<td class="n">{plain_number(c)}</td>' if i in numeric else f"<td>{escape(str(c))}</td>"
        for i, c in enumerate(row)
    )


def plain_number(value: object) -> str:
    """A number as text: what escape(str(number)) gives, without escaping (a sources table has 100,000 rows
    at a million examples, and escaping its numbers was a third of rendering the page)."""
    return str(value) if type(value) is int or type(value) is float else escape(str(value))


def html_table(header: list[str], rows: list[list[object]]) -> str:
    numeric = {i for i in range(len(header)) if rows and all(isinstance(row[i], int | float) for row in rows)}
    head = "".join(f'<th class="{"n" if i in numeric else ""}">{escape(h)}</th>' for i, h in enumerate(header))
    body = "".join(f"<tr>{cells(row, numeric)}</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def bar_chart(items: list[tuple[str, int]], width: int = 640) -> str:
    """Horizontal bars as inline SVG: readable without JavaScript or external assets."""
    if not items:
        return ""
    biggest = max(value for _, value in items) or 1
    row_height, label_width = 22, 220
    bars = []
    for index, (label, value) in enumerate(items):
        y = index * row_height
        length = (width - label_width - 60) * value / biggest
        bars.append(
            f'<text x="0" y="{y + 15}">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" height="14" fill="#4a72b8"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + 15}">{value}</text>'
        )
    height = row_height * len(items)
    return f'<svg role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">{"".join(bars)}</svg>'


def rendered(item: Part) -> str:
    if item.kind == "table":
        if item.header and item.header[0] == "level":  # the risk table: colour each row by its level
            rows = "".join(f'<tr class="{escape(str(row[0])).lower()}">{cells(row, {3})}</tr>' for row in item.rows)
            head = "".join(f"<th>{escape(h)}</th>" for h in item.header)
            return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        return html_table(item.header, item.rows) if item.rows else "<p>(none)</p>"
    if item.kind == "bars":
        caption = f"<p>{escape(item.text)}</p>" if item.text else ""
        chart = bar_chart([(str(label), int(value)) for label, value in item.rows])  # type: ignore[call-overload]
        return caption + (chart or "<p>(none)</p>")
    if item.kind == "list":
        return "<ul>" + "".join(f"<li>{escape(entry)}</li>" for entry in item.items) + "</ul>"
    return f"<p>{escape(item.text)}</p>"


def render_html(report: dict, sections: list[Section] | None = None) -> str:
    """The page; `sections` is the report's outline when the caller has made it already."""
    run = report["run"]
    parts = [f"<h1>ftprep report: {escape(run['name'])}</h1>"]
    for section in outline(report) if sections is None else sections:
        parts.append(f"<h2>{escape(section.title)}</h2>")
        parts += [rendered(item) for item in section.parts]
    body = "\n".join(parts)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>ftprep report: {escape(run['name'])}</title><style>{STYLE}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )
