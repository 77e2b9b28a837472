"""report.md and report.html from report.json: at the end of a run, and again with `ftprep report RUN_DIR`.

Rendering again lets a user get the current renderings (or fix a hand-edited report) without rerunning
the pipeline; the manifest's entries for the two files are updated so it still describes the folder.
"""

import json
from pathlib import Path

from pipeline.checks.jsonschemas import json_path, validator
from pipeline.errors import InputError
from pipeline.io import describe_files, write_json, write_text
from pipeline.report.html import render_html
from pipeline.report.markdown import render_markdown
from pipeline.report.outline import outline


def write_renderings(report: dict, out: Path) -> list[Path]:
    markdown, html = out / "report.md", out / "report.html"
    sections = outline(report)  # both renderings lay out the same outline
    write_text(markdown, render_markdown(report, sections))
    write_text(html, render_html(report, sections))
    return [markdown, html]


def rerender(run_dir: Path) -> list[Path]:
    """Render report.md and report.html again from RUN_DIR/report.json (checked against its schema)."""
    path = run_dir / "report.json"
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no report.json; pass the --out folder of an ftprep prepare run") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read ({error})") from None
    except json.JSONDecodeError as error:
        raise InputError(f"{path}: line {error.lineno}: not JSON ({error.msg})") from None
    problem = next(iter(sorted(validator("report").iter_errors(report), key=lambda e: list(map(str, e.path)))), None)
    if problem is not None:
        raise InputError(f"{path}: {json_path(problem.absolute_path)}: {problem.message[:200]}")
    written = write_renderings(report, run_dir)
    manifest = run_dir / "manifest.json"
    if manifest.exists():
        content = json.loads(manifest.read_text(encoding="utf-8"))
        fresh = {entry["path"]: entry for entry in describe_files(written, run_dir)}
        content["outputs"] = [fresh.get(entry["path"], entry) for entry in content.get("outputs", [])]
        write_json(manifest, content)
    return written
