"""Ingest throughput on 1,000 mixed documents: Markdown, text, HTML, DOCX, PDF, JSONL and CSV records.

The mix is generated from bench/corpus.py pages (HTML pages wrapped in navigation, scripts and a
footer; DOCX written with python-docx; PDF pages copied from the sample manual, since no PDF writer is
a dependency). Reports documents/s overall and per format, in one process.

    python -m bench.ingest [--documents 1000] [--json]
"""

import argparse
import io
import json
import random
import shutil
import time
from pathlib import Path

from docx import Document

from bench.corpus import page
from pipeline.config import IngestConfig
from pipeline.ingest import read_sources

OUT = Path(__file__).resolve().parent / "out" / "ingest-mix"
SAMPLE_PDF = Path(__file__).resolve().parents[1] / "sample_data" / "manuals" / "hub-quick-start.pdf"
FORMATS = ("md", "txt", "html", "docx", "pdf", "jsonl", "csv")


def as_html(markdown: str) -> str:
    body = []
    for block in markdown.split("\n\n"):
        if block.startswith("#"):
            level = len(block) - len(block.lstrip("#"))
            body.append(f"<h{level}>{block.lstrip('# ')}</h{level}>")
        else:
            body.append(f"<p>{block}</p>")
    return (
        "<html><head><title>Help</title><script>track()</script><style>p{}</style></head><body>"
        "<nav><a href='/'>Home</a><a href='/p'>Products</a></nav><div id='cookie-banner'>Accept all cookies</div>"
        f"<main><article>{''.join(body)}</article></main><footer>© 2026 Brightwater</footer></body></html>"
    )


def as_docx(markdown: str) -> bytes:
    document = Document()
    for block in markdown.split("\n\n"):
        if block.startswith("#"):
            level = len(block) - len(block.lstrip("#"))
            document.add_paragraph(block.lstrip("# "), style="Title" if level == 1 else f"Heading {level - 1}")
        else:
            document.add_paragraph(block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_mix(folder: Path, documents: int, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    counts = dict.fromkeys(FORMATS, 0)
    records: dict[str, list[str]] = {"jsonl": [], "csv": []}
    for number in range(documents):
        fmt = FORMATS[number % len(FORMATS)]
        text = page(rng, number)
        counts[fmt] += 1
        path = folder / fmt / f"doc-{number:05d}.{fmt}"
        path.parent.mkdir(exist_ok=True)
        if fmt in ("md", "txt"):
            path.write_text(text, encoding="utf-8")
        elif fmt == "html":
            path.write_text(as_html(text), encoding="utf-8")
        elif fmt == "docx":
            path.write_bytes(as_docx(text))
        elif fmt == "pdf":
            shutil.copyfile(SAMPLE_PDF, path)
        else:
            records[fmt].append(text)
    (folder / "records.jsonl").write_text(
        "".join(json.dumps({"text": t}) + "\n" for t in records["jsonl"]), encoding="utf-8"
    )
    quoted = ['"' + t.replace('"', '""') + '"' for t in records["csv"]]
    (folder / "records.csv").write_text("text\n" + "\n".join(quoted) + "\n", encoding="utf-8")
    return counts


def measure(documents: int) -> dict:
    counts = write_mix(OUT, documents)
    per_format = {}
    for fmt in FORMATS:
        source = OUT / f"records.{fmt}" if fmt in ("jsonl", "csv") else OUT / fmt
        started = time.perf_counter()
        ingested = read_sources([source], IngestConfig())
        seconds = time.perf_counter() - started
        per_format[fmt] = {
            "documents": ingested.documents.height,
            "seconds": round(seconds, 3),
            "documents_per_second": round(ingested.documents.height / seconds, 1),
        }
    started = time.perf_counter()
    ingested = read_sources([OUT], IngestConfig())
    seconds = time.perf_counter() - started
    return {
        "documents": ingested.documents.height,
        "rejected": ingested.rejected.height,
        "seconds": round(seconds, 2),
        "documents_per_second": round(ingested.documents.height / seconds, 1),
        "written": counts,
        "per_format": per_format,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(args.documents)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{result['documents']} documents in {result['seconds']} s: {result['documents_per_second']} documents/s")
    for fmt, row in result["per_format"].items():
        print(
            f"  {fmt:<6} {row['documents']:>5} documents {row['seconds']:>7} s "
            f"{row['documents_per_second']:>9} documents/s"
        )


if __name__ == "__main__":
    main()
