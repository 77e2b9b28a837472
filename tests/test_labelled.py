"""Extraction quality on a labelled fixture: recall and precision of known facts, no boilerplate leaks.

tests/data/labelled holds six documents in six formats (Markdown, text, HTML with navigation and
cookie banners, DOCX, JSONL) and facts.jsonl: every FAQ, Q/A, glossary, definition, table and list
fact they contain, with the exact answer text and the keywords a question about it must contain.
Recall: the share of facts some example states (answer contains the fact, question has its keywords).
Precision: the share of examples of the fact-bearing tasks that state a labelled fact correctly.
"""

import json
import re
from pathlib import Path

import polars as pl
import pytest

from pipeline.apply import apply_stage, runs
from pipeline.config import PrepareConfig
from pipeline.shards import plan_shards
from pipeline.stages import SHARD_STAGES
from pipeline.state import Inputs, RunState

FIXTURE = Path(__file__).resolve().parent / "data" / "labelled"
SCORED_TASKS = {"faq", "qa", "glossary", "definition", "table_cell", "table_entry", "table_level", "list"}


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


@pytest.fixture(scope="module")
def extracted() -> pl.DataFrame:
    sources = sorted(str(path) for path in FIXTURE.iterdir() if path.name not in ("facts.jsonl", "boilerplate.txt"))
    every = ["faq", "qa", "glossary", "definition", "heading", "table", "list", "dialogue"]  # definition is opt-in
    cfg = PrepareConfig.model_validate({"sources": sources, "out": "unused", "generate": {"extractors": every}})
    (shard,) = plan_shards(cfg).shards
    state = RunState.start(Inputs(shard.files, shard.mappings))
    until = [stage.name for stage in SHARD_STAGES].index("ground")  # ingest, sections, generation, grounding
    for stage in SHARD_STAGES[: until + 1]:
        state = apply_stage(stage, state, cfg) if runs(stage, cfg) else state
    return state.examples.select(
        "task",
        file=pl.col("source").str.replace(r"^.*/", ""),
        question=pl.col("messages").list.get(-2).struct.field("content"),
        answer=pl.col("messages").list.last().struct.field("content"),
    )


def facts() -> list[dict]:
    return [json.loads(line) for line in (FIXTURE / "facts.jsonl").read_text(encoding="utf-8").splitlines()]


def matches(fact: dict, question: str, answer: str) -> bool:
    return squash(fact["answer"]) in squash(answer) and all(
        word in squash(question) for word in fact["question_keywords"]
    )


def test_recall_and_precision(extracted):
    rows = extracted.rows(named=True)
    labelled = facts()
    found = [
        fact
        for fact in labelled
        if any(row["file"] == fact["doc"] and matches(fact, row["question"], row["answer"]) for row in rows)
    ]
    scored = [row for row in rows if row["task"] in SCORED_TASKS]
    correct = [
        row
        for row in scored
        if any(row["file"] == f["doc"] and matches(f, row["question"], row["answer"]) for f in labelled)
    ]
    recall, precision = len(found) / len(labelled), len(correct) / len(scored)
    missed = [f"{fact['kind']}: {fact['answer'][:60]}" for fact in labelled if fact not in found]
    wrong = [f"{row['task']}: {row['question'][:60]} -> {row['answer'][:40]}" for row in scored if row not in correct]
    assert recall >= 0.9, missed
    assert precision >= 0.95, wrong


def test_every_fact_kind_is_found(extracted):
    rows = extracted.rows(named=True)
    by_kind: dict[str, list[bool]] = {}
    for fact in facts():
        hit = any(row["file"] == fact["doc"] and matches(fact, row["question"], row["answer"]) for row in rows)
        by_kind.setdefault(fact["kind"], []).append(hit)
    assert {kind: sum(hits) > 0 for kind, hits in by_kind.items()} == dict.fromkeys(by_kind, True)


def test_no_boilerplate_in_any_example(extracted):
    text = "\n".join(extracted["question"].to_list() + extracted["answer"].to_list())
    for line in (FIXTURE / "boilerplate.txt").read_text(encoding="utf-8").splitlines():
        assert line.strip() and line.strip() not in text
