"""The `ftprep-risk` artifact as Markdown: every metric's advice in full, worst level first, wrapping lines."""

from pipeline.report.markdown import render_risk_markdown
from pipeline.report.risk import metric

LONG_ADVICE = (
    "7 validation examples nearly repeat training examples; validation loss will look better than the model is. "
    "Group the split by source document (split.group_by = 'source') or raise dedup.threshold so that near "
    "duplicates end up on one side; then run again and compare the validation loss of both runs | twice."
)


def report_with(risks: list[dict]) -> dict:
    return {"run": {"name": "handbook"}, "risk": risks}


def test_every_advice_is_whole_and_the_worst_level_comes_first():
    risks = [
        metric("diversity", "distinct_1_prompts", 0.21, "ok", "Prompts use a varied vocabulary."),
        metric("size", "training_tokens", 25539, "warn", "Under 100k training tokens.", "36 sources"),
        metric("leakage", "validation_near_duplicates_of_train", 7, "high", LONG_ADVICE),
    ]
    markdown = render_risk_markdown(report_with(risks))
    lines = markdown.splitlines()
    assert lines[0] == "# Overfitting risk: handbook"
    assert "1 high and 1 warning-level risks" in markdown
    headings = [line for line in lines if line.startswith("## ")]
    assert headings == ["## High (1)", "## Warning (1)", "## Ok (1)"]
    items = [line for line in lines if line.startswith("- ")]
    assert items == [
        f"- leakage · `validation_near_duplicates_of_train` = 7: {LONG_ADVICE}",
        "- size · `training_tokens` = 25539: Under 100k training tokens. (36 sources)",
        "- diversity · `distinct_1_prompts` = 0.21: Prompts use a varied vocabulary.",
    ]


def test_a_line_break_in_a_detail_stays_inside_its_list_item():
    risks = [metric("split", "validation_share", 0.1, "ok", "As asked.", "largest groups:\n7 from a.md")]
    items = [line for line in render_risk_markdown(report_with(risks)).splitlines() if line.startswith("- ")]
    assert items == ["- split · `validation_share` = 0.1: As asked. (largest groups: 7 from a.md)"]
    assert "Ok (1)" in render_risk_markdown(report_with(risks))


def test_no_metrics_says_so():
    assert render_risk_markdown(report_with([])) == "# Overfitting risk: handbook\n\nNo risk metrics were computed.\n"


def test_the_summary_counts_warnings_in_the_singular_and_the_plural():
    one = [metric("size", "training_tokens", 25539, "warn", "Under 100k training tokens.")]
    two = [*one, metric("diversity", "distinct_1_prompts", 0.05, "warn", "Prompts repeat their words.")]
    assert "No high risks; 1 metric deserves a look." in render_risk_markdown(report_with(one))
    assert "No high risks; 2 metrics deserve a look." in render_risk_markdown(report_with(two))
