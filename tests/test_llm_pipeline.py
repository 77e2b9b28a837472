"""LLM generation inside a whole prepare run, against the loopback OpenAI-compatible test server."""

import json
from pathlib import Path

import polars as pl
import pytest
from llm_server import LLMServer

from pipeline.config import PrepareConfig
from pipeline.executor import execute

MINI = Path(__file__).resolve().parent / "data" / "mini"
PLANTED_KEY = "sk-planted-4f9c2e7a1b8d6c3e5f0a9b2c"


@pytest.fixture
def server():
    running = LLMServer().start()
    yield running
    running.stop()


def config(server: LLMServer, tmp_path: Path, name: str) -> PrepareConfig:
    llm = {
        "enabled": True,
        "base_url": server.url,
        "model": "test-model",
        "min_section_chars": 60,
        "questions_per_section": 2,
        "cache_dir": str(tmp_path / "llm-cache"),
    }
    return PrepareConfig(sources=[str(MINI)], out=str(tmp_path / name), llm=llm)


def test_llm_examples_join_the_run_and_the_report(server, tmp_path, monkeypatch):
    monkeypatch.setenv("FTPREP_LLM_API_KEY", PLANTED_KEY)
    report = execute(config(server, tmp_path, "first"))
    out = tmp_path / "first"
    kept = pl.read_parquet(out / "hf" / "data" / "*.parquet")
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text().splitlines()]
    assert report["llm"]["requests"] == server.count > 0 and report["llm"]["cache_hits"] == 0
    generated = report["ledger"]["examples"]["generated"]
    llm_candidates = (
        sum(1 for r in rejects if r.get("task") == "llm_qa") + kept.filter(pl.col("task") == "llm_qa").height
    )
    assert llm_candidates > 0 and generated == kept.height + sum(1 for r in rejects if r["kind"] != "document")
    assert kept.filter(pl.col("task") == "llm_qa").height > 0
    assert set(server.authorization) == {f"Bearer {PLANTED_KEY}"}
    for path in out.rglob("*"):
        if path.is_file():
            assert PLANTED_KEY.encode() not in path.read_bytes(), path
    for path in (tmp_path / "llm-cache").rglob("*"):
        if path.is_file():
            assert PLANTED_KEY.encode() not in path.read_bytes(), path


def test_a_rerun_is_served_from_the_cache(server, tmp_path):
    execute(config(server, tmp_path, "first"))
    sent = server.count
    report = execute(config(server, tmp_path, "second"))
    assert server.count == sent and report["llm"]["requests"] == 0 and report["llm"]["cache_hits"] > 0
    assert (tmp_path / "first" / "train.jsonl").read_bytes() == (tmp_path / "second" / "train.jsonl").read_bytes()


def test_judged_pairs_join_a_preference_run(server, tmp_path):
    llm = {"base_url": server.url, "model": "test-model", "cache_dir": str(tmp_path / "llm-cache")}
    cfg = PrepareConfig(
        sources=[str(MINI)], out=str(tmp_path / "judged"), kind="preference", target="openai-dpo", llm=llm,
        preference={"judge": {"enabled": True, "candidates": 3}},
    )  # fmt: skip
    report = execute(cfg)
    assert report["preference"]["by_negative"].get("llm_judge", 0) > 0
    assert report["llm"]["requests"] == server.count > 0
    judged = [json.loads(line) for line in (tmp_path / "judged" / "train.jsonl").read_text().splitlines()]
    assert len(judged) == report["ledger"]["examples"]["train"]
