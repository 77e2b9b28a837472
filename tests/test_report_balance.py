"""The report says when the split missed split.validation_ratio or split.min_validation, and why."""

import polars as pl
from test_report import RUN

from pipeline.config import SplitConfig
from pipeline.records import DOCUMENT, EXAMPLE, REJECTED, empty
from pipeline.report import build_report
from pipeline.report.balance import split_warnings
from pipeline.report.markdown import render_markdown
from pipeline.report.risk import overfitting_risk
from pipeline.split import split_by_group

PRODUCTS = ["HP7 heat pump", "Brightwater Cell", "Brightwater Hub", "solar inverter", "smart tariff"]


def examples(sections: list[tuple[str, str, int]]) -> pl.DataFrame:
    """(source file, section, size) -> FAQ examples with distinct questions and answers, as extraction leaves them."""
    rows = []
    for source, section, size in sections:
        for i in range(size):
            product = PRODUCTS[i % len(PRODUCTS)]
            rows.append(
                {
                    "id": f"{source}-{section}-{i}",
                    "kind": "sft",
                    "task": "faq",
                    "doc_id": source,
                    "source": source,
                    "section": section,
                    "messages": [
                        {
                            "role": "user",
                            "content": f"What does step {i} of {section} in {source} ask on the {product}?",
                        },
                        {"role": "assistant", "content": f"Step {i} of {source}: check item {i * 7 + 3} first."},
                    ],
                }
            )
    return pl.DataFrame(rows, schema=EXAMPLE)


def split_run(sections: list[tuple[str, str, int]], cfg: SplitConfig) -> tuple[pl.DataFrame, dict]:
    kept = split_by_group(examples(sections), cfg).with_columns(
        n_tokens=pl.lit(30), n_prompt_tokens=pl.lit(12), n_completion_tokens=pl.lit(18)
    )
    return kept, {**RUN, "split": cfg.model_dump(mode="json")}


# One long manual section (106 examples) and four one-example notes: the split cannot divide the section.
LOPSIDED = [("manuals/cell.md", "Troubleshooting", 106)] + [(f"notes/n{i}.md", "Note", 1) for i in range(4)]


def test_large_group_leaves_validation_below_the_ratio_and_the_report_says_why():
    kept, run = split_run(LOPSIDED, SplitConfig(validation_ratio=0.1))
    assert kept.filter(pl.col("split") == "validation").height == 4  # 3.6%, not 10%
    [warning] = split_warnings(kept, run["split"])
    assert "validation holds 4 of 110 split examples (3.6%)" in warning
    assert "split.validation_ratio = 0.1 (10.0%, about 11)" in warning
    assert "the largest holds 106 examples (96%, from manuals/cell.md)" in warning
    assert "keeps each group whole" in warning


def share_risks(kept: pl.DataFrame, run: dict) -> dict[str, dict]:
    return {m["metric"]: m for m in overfitting_risk(kept, {}, {}, run) if m["group"] == "split"}


def test_large_group_is_a_split_risk_with_its_cause_and_the_setting_to_change():
    # The handbook a user found: validation at 3.6% of the examples with split.validation_ratio = 0.1.
    kept, run = split_run(LOPSIDED, SplitConfig(validation_ratio=0.1))
    risks = share_risks(kept, run)
    assert list(risks) == ["validation_share"]  # no test split was asked for
    share = risks["validation_share"]
    assert (share["level"], share["value"]) == ("warn", 0.0364)
    assert share["advice"].startswith("Validation holds 4 of 110 split examples (3.6%), not the 10.0% ")
    assert "the largest holds 106 examples (96%, from manuals/cell.md)" in share["advice"]
    assert "split.group_by = 'section'" in share["advice"]  # the setting in force, and what else makes groups smaller
    assert share["detail"].startswith("5 groups; examples in the largest: 106 from manuals/cell.md, 1 from notes/n")


def test_test_split_off_its_ratio_is_a_risk_too():
    # Two large sections and a few notes: whole groups cannot make 20% of test.
    sections = [("manuals/cell.md", "Troubleshooting", 60), ("manuals/hub.md", "Setup", 40)]
    sections += [(f"notes/n{i}.md", "Note", 1) for i in range(10)]
    kept, run = split_run(sections, SplitConfig(validation_ratio=0.05, test_ratio=0.2))
    test = share_risks(kept, run)["test_share"]
    held = kept.filter(pl.col("split") == "test").height
    assert abs(held / kept.height - 0.2) > 0.02 and test["level"] == "warn"
    assert f"Test holds {held} of 110 split examples" in test["advice"] and "split.test_ratio = 0.2" in test["advice"]


def test_split_on_its_ratios_is_an_ok_risk():
    kept, run = split_run([(f"kb/a{i}.md", "Answer", 1) for i in range(100)], SplitConfig(test_ratio=0.1))
    risks = share_risks(kept, run)
    assert {name: (m["level"], m["value"]) for name, m in risks.items()} == {
        "validation_share": ("ok", 0.1),
        "test_share": ("ok", 0.1),
    }


def test_warning_reaches_report_json_and_markdown():
    kept, run = split_run(LOPSIDED, SplitConfig(validation_ratio=0.1))
    documents = pl.DataFrame(
        [{"doc_id": s, "source": s, "format": "md", "title": s, "text": "x"} for s, _, _ in LOPSIDED], schema=DOCUMENT
    )
    report = build_report(documents, kept, empty(REJECTED), run)
    assert [w for w in report["warnings"] if w.startswith("validation holds 4 of 110")]
    assert [m["level"] for m in report["risk"] if m["metric"] == "validation_share"] == ["warn"]
    markdown = render_markdown(report)
    assert "## Warnings" in markdown and "- validation holds 4 of 110 split examples (3.6%)" in markdown
    assert "| WARN | split | validation_share | 0.0364 | Validation holds 4 of 110" in markdown


def test_split_on_the_ratio_gives_no_warning():
    kept, run = split_run([(f"kb/a{i}.md", "Answer", 1) for i in range(100)], SplitConfig(validation_ratio=0.1))
    assert kept.filter(pl.col("split") == "validation").height == 10
    assert split_warnings(kept, run["split"]) == []


def test_tiny_split_is_not_warned_when_no_whole_count_is_closer():
    # Five examples at ratio 0.3: one (20%) and two (40%) are equally far from 1.5; neither is a miss.
    kept, run = split_run([(f"kb/a{i}.md", "Answer", 1) for i in range(5)], SplitConfig(validation_ratio=0.3))
    assert kept.filter(pl.col("split") == "validation").height in (1, 2)
    assert split_warnings(kept, run["split"]) == []
    share = share_risks(kept, run)["validation_share"]
    assert share["level"] == "ok" and "as near to the 30.0% split.validation_ratio = 0.3" in share["advice"]


def test_below_min_validation_is_warned():
    # Two groups: the note goes to validation, and the manual section must stay in training.
    kept, run = split_run([("manuals/hub.md", "Setup", 60), ("notes/n.md", "Note", 2)], SplitConfig(min_validation=20))
    assert kept.filter(pl.col("split") == "validation").height == 2  # 3.2% against 10%, and below 20
    [warning] = split_warnings(kept, run["split"])
    assert "validation holds 2 of 62 split examples (3.2%)" in warning
    assert "below split.min_validation = 20 (one group always stays in training)" in warning
    assert "form 2 groups; the largest holds 60 examples (97%, from manuals/hub.md)" in warning


def test_min_validation_above_the_ratio_is_named_as_the_cause():
    kept, run = split_run([(f"kb/a{i}.md", "Answer", 1) for i in range(50)], SplitConfig(min_validation=12))
    assert kept.filter(pl.col("split") == "validation").height == 12  # 24%, ratio 0.1
    [warning] = split_warnings(kept, run["split"])
    assert "split.min_validation = 12 asks for more than the ratio gives" in warning


def test_one_group_empties_validation_and_says_so_once():
    kept, run = split_run([("manuals/cell.md", "Troubleshooting", 12)], SplitConfig(validation_ratio=0.2))
    [warning] = split_warnings(kept, run["split"])
    assert warning.startswith("the validation split is empty; validation loss will not be reported")
    assert "all 12 examples form one group" in warning


def test_no_validation_asked_for_is_only_the_empty_split_warning():
    kept, run = split_run(LOPSIDED, SplitConfig(validation_ratio=0, min_validation=5))
    assert split_warnings(kept, run["split"]) == ["the validation split is empty; validation loss will not be reported"]
