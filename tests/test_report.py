import json
from pathlib import Path

import jsonschema
import polars as pl
import pytest

from pipeline.errors import LedgerError
from pipeline.records import DOCUMENT, EXAMPLE, reject
from pipeline.report import build_report, check_ledger
from pipeline.report.html import render_html
from pipeline.report.markdown import render_markdown

ROOT = Path(__file__).resolve().parents[1]
RUN = {
    "name": "t",
    "ftprep_version": "0",
    "kind": "sft",
    "target": "openai-chat",
    "model": "gpt-4o-mini",
    "encoding": "o200k_base",
    "token_limit": 65536,
    "min_examples": 10,
    "config_sha256": "0" * 64,
}


def frames(prompt: str = "How long is the warranty?"):
    documents = pl.DataFrame(
        [{"doc_id": "d1", "source": "a.md", "format": "md", "title": "A", "text": "x"}], schema=DOCUMENT
    )
    base = {
        "kind": "sft",
        "task": "faq",
        "doc_id": "d1",
        "source": "a.md",
        "section": "",
        "messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": "Seven years."}],
    }
    kept = pl.DataFrame([{**base, "id": f"k{i}"} for i in range(3)], schema=EXAMPLE).with_columns(
        split=pl.Series(["train", "train", "validation"]),
        n_tokens=pl.lit(20),
        n_completion_tokens=pl.lit(5),
        cluster_id=pl.col("id"),
    )
    rejected = reject(pl.DataFrame([{**base, "id": "r0"}], schema=EXAMPLE), "short_answer", "too short")
    rejected = rejected.with_columns(reject_stage=pl.lit("quality"))  # as the executor stamps it
    return documents, kept, rejected


def test_report_counts_and_schema():
    report = build_report(*frames(), RUN)
    assert report["ledger"] == {
        "documents": {"inputs": 1, "used": 1, "rejected": 0},
        "examples": {"generated": 4, "train": 2, "validation": 1, "test": 0, "rejected": 1},
    }
    assert report["rejected_by_reason"] == {"quality.short_answer": 1}
    steps = {row["stage"]: row for row in report["funnel"]}
    assert steps["quality"] == {"stage": "quality", "in": 4, "rejected": 1, "out": 3}
    assert report["funnel"][-1]["out"] == 3
    assert "only 2 training examples; openai-chat needs at least 10" in report["warnings"]
    jsonschema.validate(report, json.loads((ROOT / "schemas" / "report.schema.json").read_text()))


@pytest.mark.parametrize(
    "ledger",
    [
        {
            "documents": {"inputs": 2, "used": 1, "rejected": 0},
            "examples": {"generated": 0, "train": 0, "validation": 0, "test": 0, "rejected": 0},
        },
        {
            "documents": {"inputs": 0, "used": 0, "rejected": 0},
            "examples": {"generated": 5, "train": 2, "validation": 1, "test": 0, "rejected": 1},
        },
    ],
)
def test_unbalanced_ledger_fails_loudly(ledger):
    with pytest.raises(LedgerError, match="does not balance"):
        check_ledger(ledger)


def test_renderings_escape_data():
    documents, kept, rejected = frames()
    hostile = kept.with_columns(
        source=pl.lit("<script>alert(1)</script>.md"), task=pl.lit("<img src=x onerror=alert(1)>")
    )
    report = build_report(documents, hostile, rejected, RUN)
    page = render_html(report)
    assert "<script>" not in page and "<img" not in page and "&lt;script&gt;" in page
    assert "http" not in page.replace("http-equiv", "")  # nothing loads from a network
    assert "| quality.short_answer | 1 |" in render_markdown(report)
