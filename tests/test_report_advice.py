"""Advice never recommends the setting already in force: each advice kind, the run's config, what it may say.

Each row triggers one risk metric on constructed data and reads its advice under one config: a phrase
that recommends a setting appears when the setting is not in force, and never when it is.
"""

import polars as pl
import pytest
from test_report import RUN
from test_report_balance import LOPSIDED, split_run
from test_report_risk import kept_frame, varied

from pipeline.config import PrepareConfig, SplitConfig
from pipeline.report.risk import overfitting_risk
from pipeline.report.run import run_info


def settings(**sections: dict) -> dict:
    """The run block a prepare run with these config sections records (report.run)."""
    recorded = run_info(PrepareConfig(sources=["docs"], out="out", **sections))
    return {**RUN, **{key: recorded[key] for key in ("split", "generate", "llm", "dedup", "eval_files")}}


def templated() -> pl.DataFrame:
    """Every prompt one template once its names are masked (the shape of extracted FAQ headings)."""
    rows = [
        {"id": f"t{i}", "prompt": f"How long is the warranty of the Model {i} unit?", "answer": f"{i} years of cover."}
        for i in range(60)
    ]
    return kept_frame([{**row, "split": "train"} for row in rows] + varied(6, "validation", "v"))


def one_source(examples: int) -> pl.DataFrame:
    """All training examples from one page (one document)."""
    return kept_frame([{**row, "source": "handbook/travel.md"} for row in varied(examples)] + varied(1, "validation"))


def task_mix() -> pl.DataFrame:
    return kept_frame(varied(60) + [{**row, "task": "table_row"} for row in varied(6, "validation", "v")])


NEAR = {"validation": {"near_duplicates": 3, "ngram_overlap": 0, "ngram_overlap_share": 0.0}}

ADVICE = [
    # (metric, frame, leakage, config sections, said under this config, not said under it)
    ("validation_near_duplicates_of_train", task_mix, NEAR, {}, "set split.group_by = 'document'", "Turn on"),
    ("validation_near_duplicates_of_train", task_mix, NEAR, {"split": {"group_by": "document"}},
     "Lower dedup.threshold", "group_by"),
    ("validation_near_duplicates_of_train", task_mix, NEAR, {}, "Lower dedup.threshold (now 0.8)", "dedup.near"),
    ("validation_near_duplicates_of_train", task_mix, NEAR, {"dedup": {"near": False}}, "Turn on dedup.near",
     "Lower dedup.threshold"),
    ("top_10_prompt_templates_share", templated, {}, {}, 'generate.rephrase = "llm"', "already set"),
    ("top_10_prompt_templates_share", templated, {}, {"generate": {"rephrase": "llm"}}, "llm.enabled = true",
     'generate.rephrase = "llm"'),
    ("top_10_prompt_templates_share", templated, {}, {"llm": {"enabled": True}}, 'generate.rephrase = "llm"',
     "llm.enabled = true"),
    ("top_10_prompt_templates_share", templated, {}, {"generate": {"rephrase": "llm"}, "llm": {"enabled": True}},
     "already set", "vary question phrasing ("),
    ("top_source_share", lambda: one_source(40), {}, {}, "generate.max_per_document below 40 (now 200)",
     "Add other sources."),
    # The hostile corpus's shape: one example from the only page; no cap is lower than one.
    ("top_source_share", lambda: one_source(1), {}, {}, "Add other sources.", "max_per_document"),
    ("task_mix_divergence", task_mix, {}, {"split": {"stratify_by": "none"}}, "Set split.stratify_by = 'task'",
     "already set"),
    ("task_mix_divergence", task_mix, {}, {}, "split.stratify_by = 'task' is already set", "Set split.stratify_by"),
    ("task_mix_divergence", task_mix, {}, {"split": {"stratify_by": "task_and_source"}}, "already set",
     "Set split.stratify_by"),
    ("eval_contamination_removed", task_mix, {}, {}, "pass --eval", "were rejected"),
    ("eval_contamination_removed", task_mix, {}, {"decontamination": {"eval_files": ["eval.jsonl"]}},
     "were rejected; none remain", "--eval"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "frame", "leakage", "sections", "said", "unsaid"), ADVICE)
def test_advice_recommends_only_a_change(name, frame, leakage, sections, said, unsaid):
    [found] = [m for m in overfitting_risk(frame(), leakage, {}, settings(**sections)) if m["metric"] == name]
    assert said in found["advice"] and unsaid not in found["advice"]


@pytest.mark.parametrize(
    ("split", "said", "unsaid"),
    [
        (SplitConfig(), "groups are already sections (split.group_by = 'section')", "split.group_by = 'document'"),
        (SplitConfig(group_by="document"), "split.group_by = 'section' makes smaller groups", "already sections"),
        (SplitConfig(group_pattern=r"^([^/]+)/"), "a narrower split.group_pattern", "split.group_by ="),
    ],
)
def test_split_share_advice_names_the_grouping_not_in_force(split, said, unsaid):
    kept, run = split_run(LOPSIDED, split)
    [share] = [m for m in overfitting_risk(kept, {}, {}, run) if m["metric"] == "validation_share"]
    assert share["level"] == "warn"
    assert said in share["advice"] and unsaid not in share["advice"]


def test_min_validation_is_named_when_it_pushed_validation_over_the_ratio():
    kept, run = split_run([(f"kb/a{i}.md", "Answer", 1) for i in range(50)], SplitConfig(min_validation=12))
    [share] = [m for m in overfitting_risk(kept, {}, {}, run) if m["metric"] == "validation_share"]
    assert share["level"] == "warn" and share["value"] == 0.24
    assert "a lower split.min_validation keeps to the ratio" in share["advice"]


def test_a_set_too_small_for_the_ratio_does_not_blame_min_validation():
    # The hostile corpus's shape: two examples at ratio 0.1 ask for 0.2; the split keeps one for validation even
    # with split.min_validation = 0, so lowering it would change nothing.
    for minimum in (0, 1):
        kept, run = split_run([("a.html", "A", 1), ("b.md", "B", 1)], SplitConfig(min_validation=minimum))
        [share] = [m for m in overfitting_risk(kept, {}, {}, run) if m["metric"] == "validation_share"]
        assert (share["level"], share["value"]) == ("warn", 0.5)
        assert "keeps at least one for validation" in share["advice"] and "min_validation" not in share["advice"]
