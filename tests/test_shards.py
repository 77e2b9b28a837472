"""Sharded runs: the same bytes as an unsharded run, and a rerun redoes only what changed or never finished."""

import json
from pathlib import Path

import polars as pl
import pytest

from pipeline.config import PrepareConfig
from pipeline.executor import execute
from pipeline.shards import DONE, plan_shards
from tests.conftest import SAMPLE_DATA, write_files

MINI = Path(__file__).resolve().parent / "data" / "mini"


def sharded(cfg: PrepareConfig, out: Path, size: int, **changes: object) -> PrepareConfig:
    ingest = cfg.ingest.model_copy(update={"shard_size": size})
    return cfg.model_copy(update={"out": str(out), "ingest": ingest, **changes})


def outputs(out: Path) -> dict[str, bytes]:
    """Every file a run writes except the manifest (it records the config, whose out and shard_size differ)."""
    return {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and "stages" not in path.relative_to(out).parts and path.name != "manifest.json"
    }


def done_markers(out: Path) -> dict[str, int]:
    return {marker.parent.name: marker.stat().st_mtime_ns for marker in (out / "stages").glob(f"*/{DONE}")}


@pytest.mark.parametrize("size", [1, 7])
def test_outputs_do_not_depend_on_the_shard_size(sample_run, sample_config, tmp_path, size):
    reference, _ = sample_run
    out = tmp_path / "run"  # the same folder name: report.json names the run after it
    execute(sharded(sample_config, out, size))
    assert outputs(out) == outputs(reference)
    manifest, expected = (json.loads((folder / "manifest.json").read_text()) for folder in (out, reference))
    assert manifest["outputs"] == expected["outputs"] and manifest["inputs"] == expected["inputs"]
    assert len(list((out / "stages").glob("shard-*"))) == len(plan_shards(sharded(sample_config, out, size)).shards)


def test_planning_rejects_and_mappings_survive_sharding(tmp_path):
    """Rejects found while planning, and dataset_info.json column mappings reached through a symlinked source."""
    answer = "Pack the kettle in its original box and book a courier from your account page."
    corpus = write_files(
        tmp_path / "corpus",
        {
            "a.md": "# Returns\n\n## How do I return a kettle?\n\nPack it in its box and book a courier online.\n",
            "blob.txt": b"\x00\x01binary",
            "broken/dataset_info.json": "{not json",
            "faq/dataset_info.json": json.dumps(
                {"kettle": {"file_name": "kettle.jsonl", "columns": {"prompt": "question", "response": "reply"}}}
            ),
            "faq/kettle.jsonl": json.dumps({"question": "How do I send a kettle back?", "reply": answer}) + "\n",
        },
    )
    (tmp_path / "linked").symlink_to(corpus)
    cfg = PrepareConfig(sources=[str(tmp_path / "linked"), str(MINI)])
    execute(cfg.model_copy(update={"out": str(tmp_path / "whole" / "run")}))
    execute(sharded(cfg, tmp_path / "sharded" / "run", 1))
    sharded_run = tmp_path / "sharded" / "run"
    assert outputs(sharded_run) == outputs(tmp_path / "whole" / "run")
    rejects = (sharded_run / "rejects.jsonl").read_text()
    assert "broken/dataset_info.json" in rejects and "blob.txt" in rejects
    kept = (sharded_run / "train.jsonl").read_text() + (sharded_run / "validation.jsonl").read_text()
    assert answer in kept  # imported through the mapping, not read as a document without a text field


def test_a_rerun_reuses_every_shard(tmp_path):
    cfg = sharded(PrepareConfig(sources=[str(SAMPLE_DATA)]), tmp_path / "run", 10)
    execute(cfg)
    first, files = done_markers(tmp_path / "run"), outputs(tmp_path / "run")
    execute(cfg)
    assert done_markers(tmp_path / "run") == first and outputs(tmp_path / "run") == files


def test_shard_files_leave_out_the_text_and_shards_that_hold_it_still_merge(tmp_path):
    """The documents' text and the sections' bodies, which nothing after the shards reads, are not written; a
    shard an earlier version wrote with them is reused as it is, and the outputs are the same."""
    cfg = sharded(PrepareConfig(sources=[str(SAMPLE_DATA)]), tmp_path / "run", 10)
    execute(cfg)
    files = outputs(tmp_path / "run")
    shards = sorted((tmp_path / "run" / "stages").glob("shard-*"))
    assert "text" not in pl.read_parquet_schema(shards[0] / "documents.parquet")
    assert "body" not in pl.read_parquet_schema(shards[0] / "sections.parquet")
    for shard in shards:  # as an earlier version wrote them: the columns there, filled
        documents = pl.read_parquet(shard / "documents.parquet").with_columns(text=pl.lit("old text"))
        documents.write_parquet(shard / "documents.parquet")
        sections = pl.read_parquet(shard / "sections.parquet").with_columns(body=pl.lit("old body"))
        sections.write_parquet(shard / "sections.parquet")
    markers = done_markers(tmp_path / "run")
    execute(cfg)
    assert done_markers(tmp_path / "run") == markers and outputs(tmp_path / "run") == files


def test_only_settings_of_the_shard_stages_redo_shards(tmp_path):
    cfg = sharded(PrepareConfig(sources=[str(MINI)]), tmp_path / "run", 1)
    execute(cfg)
    first = done_markers(tmp_path / "run")
    execute(cfg.model_copy(update={"dedup": cfg.dedup.model_copy(update={"threshold": 0.5})}))
    assert done_markers(tmp_path / "run") == first
    execute(cfg.model_copy(update={"quality": cfg.quality.model_copy(update={"min_answer_chars": 5})}))
    redone = done_markers(tmp_path / "run")
    assert len(redone) == len(first) and not set(redone) & set(first)  # new keys; the stale shards are gone


def test_a_changed_input_redoes_only_its_shard(tmp_path):
    corpus = write_files(
        tmp_path / "corpus", {name: (MINI / name).read_bytes() for name in ("warranty.md", "notes.txt")}
    )
    cfg = sharded(PrepareConfig(sources=[str(corpus)]), tmp_path / "run", 1)
    execute(cfg)
    first = done_markers(tmp_path / "run")
    (corpus / "warranty.md").write_text((MINI / "warranty.md").read_text() + "\n## Extra\n\nOne more paragraph here.\n")
    execute(cfg)
    second = done_markers(tmp_path / "run")
    assert len(set(first) & set(second)) == 1 and len(second) == 2


def test_an_unfinished_shard_is_redone(tmp_path):
    cfg = sharded(PrepareConfig(sources=[str(MINI)]), tmp_path / "run", 1)
    execute(cfg)
    files = outputs(tmp_path / "run")
    folder = sorted((tmp_path / "run" / "stages").glob("shard-*"))[1]
    (folder / DONE).unlink()  # as if the run was killed before the shard was marked done
    (folder / ".examples.parquet.123.partial").write_bytes(b"half a file")
    (folder / "examples.parquet").write_bytes(b"not parquet")
    execute(cfg)
    assert (folder / DONE).is_file() and not list(folder.glob("*.partial"))
    assert outputs(tmp_path / "run") == files


def test_progress_counts_each_shard_once_when_a_rerun_finds_most_done(tmp_path):
    cfg = sharded(PrepareConfig(sources=[str(MINI)]), tmp_path / "run", 1)
    execute(cfg)
    (sorted((tmp_path / "run" / "stages").glob("shard-*"))[1] / DONE).unlink()
    heard: list[tuple[int, int]] = []
    execute(cfg, progress=lambda what, done, total: heard.append((done, total)) if what == "shards" else None)
    total = len(plan_shards(cfg).shards)
    assert total >= 3 and heard == [(done, total) for done in range(total + 1)]


@pytest.mark.parametrize(
    "changes",
    [{"kind": "preference", "target": "openai-dpo"}, {"llm": {"enabled": True, "model": "m"}}],
    ids=["preference", "llm"],
)
def test_runs_whose_stages_span_the_input_use_one_shard(changes):
    cfg = PrepareConfig.model_validate({"sources": [str(SAMPLE_DATA)], "ingest": {"shard_size": 1}, **changes})
    assert len(plan_shards(cfg).shards) == 1


def test_no_input_files_is_an_empty_run(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    report = execute(PrepareConfig(sources=[str(empty)], out=str(tmp_path / "run")))
    assert report["ledger"]["documents"]["inputs"] == 0
