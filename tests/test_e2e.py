"""End to end over sample_data: golden counts, valid outputs, a balanced ledger, a loadable HF dataset.

Refresh tests/golden/sample_report.json deliberately with `FTPREP_UPDATE_GOLDEN=1 make test`.
"""

import json
import os
from pathlib import Path

import datasets
import jsonschema
import polars as pl
import pytest

from flows.cli import main
from pipeline.checks.jsonschemas import load_schema

GOLDEN = Path(__file__).resolve().parent / "golden" / "sample_report.json"
COMPARED = ("ledger", "rejected_by_reason", "funnel", "by_task", "dedup", "warnings")


def test_report_matches_golden(sample_run):
    _, report = sample_run
    produced = {key: report[key] for key in COMPARED}
    if os.environ.get("FTPREP_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(produced, indent=2) + "\n", encoding="utf-8")
    assert produced == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_enough_examples_and_a_balanced_ledger(sample_run):
    _, report = sample_run
    docs, examples = report["ledger"]["documents"], report["ledger"]["examples"]
    assert examples["train"] >= 150
    assert docs["inputs"] >= 25 and docs["inputs"] == docs["used"] + docs["rejected"]
    assert examples["generated"] == examples["train"] + examples["validation"] + examples["rejected"]
    assert {"ingest.empty", "ingest.encoding", "dedup.near_duplicate"} <= set(report["rejected_by_reason"])


def test_every_output_line_validates(sample_run):
    out, _ = sample_run
    validator = jsonschema.Draft202012Validator(load_schema("openai-chat"))
    for name in ("train.jsonl", "validation.jsonl"):
        for line in (out / name).read_text(encoding="utf-8").splitlines():
            assert not list(validator.iter_errors(json.loads(line)))
    report_schema = jsonschema.Draft202012Validator(load_schema("report"))
    assert not list(report_schema.iter_errors(json.loads((out / "report.json").read_text())))


def test_every_example_ends_in_exactly_one_place(sample_run):
    out, report = sample_run
    splits = pl.read_parquet(out / "hf" / "data" / "*.parquet")["id"].to_list()
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    example_rejects = [r["id"] for r in rejects if r["kind"] != "document"]
    assert (
        len(set(splits) | set(example_rejects))
        == len(splits) + len(example_rejects)
        == report["ledger"]["examples"]["generated"]
    )
    example_schema = jsonschema.Draft202012Validator(load_schema("example"))
    for record in rejects:
        assert not list(example_schema.iter_errors(record)), record["id"]


def test_no_section_straddles_the_split(sample_run):
    out, _ = sample_run
    frame = pl.concat(
        [
            pl.read_parquet(out / "hf" / "data" / f"{split}-00000-of-00001.parquet").with_columns(split=pl.lit(split))
            for split in ("train", "validation")
        ]
    )
    assert frame.group_by("source", "section").agg(pl.col("split").n_unique())["split"].max() == 1


def test_cli_validate_accepts_the_outputs(sample_run, capsys):
    out, _ = sample_run
    assert main(["validate", str(out / "train.jsonl"), "--target", "openai-chat"]) == 0
    assert ": ok" in capsys.readouterr().out


def test_hf_dataset_loads(sample_run, monkeypatch):
    out, report = sample_run
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    loaded = datasets.load_dataset(str(out / "hf"), cache_dir=str(out.parent / "hf-cache"))
    assert loaded["train"].num_rows == report["ledger"]["examples"]["train"]
    assert loaded["validation"].num_rows == report["ledger"]["examples"]["validation"]


def test_report_renderings_exist(sample_run):
    out, _ = sample_run
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "<svg" in html and "<script" not in html
    assert "## Ledger" in (out / "report.md").read_text(encoding="utf-8")


def test_every_generated_example_carries_a_source_span(sample_run):
    out, report = sample_run
    kept = pl.read_parquet(out / "hf" / "data" / "*.parquet")
    generated = kept.filter(~pl.col("generator").str.starts_with("import:"))
    assert generated.height > 0 and generated["span_start"].null_count() == generated["span_end"].null_count() == 0
    assert "generate.ungrounded" not in report["rejected_by_reason"]
    assert kept.filter(pl.col("generator").str.starts_with("import:")).height > 0  # the sample imports datasets too


@pytest.fixture(scope="session")
def preference_run(tmp_path_factory, sample_config):
    from pipeline.executor import execute

    out = tmp_path_factory.mktemp("preference") / "dpo"
    cfg = sample_config.with_overrides(out=str(out), kind="preference", target="openai-dpo")
    return out, execute(cfg)


def test_preference_run_gives_valid_openai_dpo_files(preference_run, capsys):
    out, report = preference_run
    assert report["ledger"]["examples"]["train"] >= 100
    for split in ("train", "validation"):
        assert main(["validate", str(out / f"{split}.jsonl"), "--target", "openai-dpo"]) == 0
    # truncated is the fallback when no related answer verifies (tests/test_preference.py builds it alone)
    assert set(report["preference"]["by_negative"]) >= {"wrong_section", "other_document", "rating"}
    assert 0.2 < report["preference"]["chosen_longer_share"] < 0.8
    assert {"generate.weak_negative", "ingest.tie"} <= set(report["rejected_by_reason"])


def test_preference_report_matches_golden(preference_run):
    _, report = preference_run
    golden = GOLDEN.with_name("sample_preference_report.json")
    produced = {key: report[key] for key in (*COMPARED, "preference")}
    if os.environ.get("FTPREP_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(produced, indent=2) + "\n", encoding="utf-8")
    assert produced == json.loads(golden.read_text(encoding="utf-8"))
