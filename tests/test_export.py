"""Golden-file tests for the exports of a small fixed corpus (tests/data/mini).

Refresh deliberately with `FTPREP_UPDATE_GOLDEN=1 make test` and review the diff.
"""

import json
import os
from pathlib import Path

import datasets
import polars as pl
import pytest

from pipeline.config import PrepareConfig
from pipeline.executor import execute

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden" / "mini"
FILES = ["train.jsonl", "validation.jsonl", "rejects.jsonl", "report.json", "report.md", "hf/README.md"]


@pytest.fixture(scope="module")
def mini_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("mini") / "mini"
    cfg = PrepareConfig(
        sources=[str(HERE / "data" / "mini")],
        out=str(out),
        generate={"system_prompt": "Be helpful."},
        split={"validation_ratio": 0.3},
    )
    return out, execute(cfg)


@pytest.mark.parametrize("name", FILES)
def test_export_matches_golden(mini_run, name):
    out, _ = mini_run
    produced = (out / name).read_text(encoding="utf-8")
    golden = GOLDEN / name
    if os.environ.get("FTPREP_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(produced, encoding="utf-8")
    assert produced == golden.read_text(encoding="utf-8")


def test_rerun_is_byte_identical(mini_run, tmp_path):
    out, _ = mini_run
    again = tmp_path / "mini"
    cfg = PrepareConfig(
        sources=[str(HERE / "data" / "mini")],
        out=str(again),
        generate={"system_prompt": "Be helpful."},
        split={"validation_ratio": 0.3},
    )
    execute(cfg)
    for name in [*FILES, "hf/data/train-00000-of-00001.parquet"]:
        assert (again / name).read_bytes() == (out / name).read_bytes(), name


def test_files_written_a_few_rows_at_a_time_are_identical(mini_run, tmp_path, monkeypatch):
    from pipeline import io

    out, _ = mini_run
    monkeypatch.setattr(io, "WRITE_ROWS", 2)
    cfg = PrepareConfig(
        sources=[str(HERE / "data" / "mini")],
        out=str(tmp_path / "mini"),
        generate={"system_prompt": "Be helpful."},
        split={"validation_ratio": 0.3},
    )
    execute(cfg)
    for name in ("train.jsonl", "validation.jsonl", "rejects.jsonl"):
        assert (tmp_path / "mini" / name).read_bytes() == (out / name).read_bytes(), name
    hf = "hf/data/train-00000-of-00001.parquet"
    assert pl.read_parquet(tmp_path / "mini" / hf).equals(pl.read_parquet(out / hf))  # 2 rows per row group


def test_manifest_hashes_every_input_and_output(mini_run):
    out, _ = mini_run
    manifest = json.loads((out / "manifest.json").read_text())
    assert {Path(entry["path"]).name for entry in manifest["inputs"]} == {"warranty.md", "kb.jsonl", "notes.txt"}
    outputs = {entry["path"] for entry in manifest["outputs"]}
    assert {"train.jsonl", "validation.jsonl", "rejects.jsonl", "report.json", "hf/README.md"} <= outputs
    assert all(len(entry["sha256"]) == 64 for entry in manifest["inputs"] + manifest["outputs"])
    assert manifest["versions"]["tiktoken"] != "not installed"


def test_hf_dataset_loads_offline(mini_run, monkeypatch):
    out, _ = mini_run
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    loaded = datasets.load_dataset(str(out / "hf"), cache_dir=str(out.parent / "hf-cache"))
    train_lines = (out / "train.jsonl").read_text().splitlines()
    assert loaded["train"].num_rows == len(train_lines)
    assert loaded["train"][0]["messages"] == json.loads(train_lines[0])["messages"]
