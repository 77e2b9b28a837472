"""report.html: one self-contained page (inline CSS and SVG, no script, no network); all data text escaped."""

from html import escape

from pipeline.report.tables import (
    dedup_sentence,
    ledger_table,
    preference_sentence,
    preference_table,
    sources_table,
    tasks_table,
    tokens_table,
)

STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1d2433}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #dde}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{padding:.3rem .6rem;border-bottom:1px solid #eef;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.ok{color:#17692f}.warn{color:#9a5b00}
svg text{font:12px system-ui,sans-serif}
"""


def cells(row: list[object], numeric: set[int]) -> str:
    return "".join(
        f'<td class="n">{escape(str(c))}</td>' if i in numeric else f"<td>{escape(str(c))}</td>"
        for i, c in enumerate(row)
    )


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


def render_html(report: dict) -> str:
    run, examples = report["run"], report["ledger"]["examples"]
    funnel = [("generated", examples["generated"])] + [
        (f"after {row['stage']}", row["out"]) for row in report["funnel"]
    ]
    sections = [
        f"<h1>ftprep report: {escape(run['name'])}</h1>",
        f"<p>Target <code>{escape(run['target'])}</code>, model <code>{escape(run['model'])}</code> "
        f"(encoding <code>{escape(run['encoding'])}</code>, limit {run['token_limit']} tokens per example).</p>",
        "<h2>Ledger</h2>",
        html_table(*ledger_table(report)),
        '<p class="ok">The ledger balances: every input is kept or rejected with a reason.</p>',
        "<h2>Funnel</h2>",
        bar_chart(funnel),
        "<h2>Rejected by reason</h2>",
        bar_chart(list(report["rejected_by_reason"].items())) or "<p>Nothing was rejected.</p>",
        "<h2>Tokens</h2>",
        html_table(*tokens_table(report)),
        "<h2>Tasks</h2>",
        html_table(*tasks_table(report)),
        "<h2>Duplicates</h2>",
        f"<p>{escape(dedup_sentence(report))}</p>",
        "<h2>Sources</h2>",
        html_table(*sources_table(report)),
    ]
    if report.get("preference"):
        sections += [
            "<h2>Preference pairs</h2>",
            f"<p>{escape(preference_sentence(report))}</p>",
            html_table(*preference_table(report)),
        ]
    if report["warnings"]:
        items = "".join(f"<li>{escape(warning)}</li>" for warning in report["warnings"])
        sections += ["<h2>Warnings</h2>", f'<ul class="warn">{items}</ul>']
    body = "\n".join(sections)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>ftprep report: {escape(run['name'])}</title><style>{STYLE}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )
