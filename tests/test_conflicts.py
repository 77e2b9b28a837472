"""Same prompt, different answers: found on normalised prompts, reported or resolved to the first."""

from pipeline.conflicts import resolve_conflicts
from tests.frames import sft_examples as examples

ROWS = [
    ("old", "How long may I return the Hub?", "Within 21 days."),
    ("new", "how long may I return the hub", "Within 30 days."),
    ("same", "How long may I return the Hub?", "Within 21 days!"),  # same answer once normalised
    ("short-a", "Why?", "Because."),
    ("short-b", "Why?", "No reason."),
    ("other", "What does the Hub cost?", "€99."),
]


def test_report_mode_keeps_everything_and_lists_the_group():
    split, summary = resolve_conflicts(examples(ROWS), "report")
    assert split.kept.height == 6 and split.rejected.height == 0
    assert summary["groups"] == 1 and summary["examples"] == 3
    assert summary["listed"][0]["ids"] == ["old", "new", "same"]


def test_reject_mode_keeps_the_first_and_names_it():
    split, _ = resolve_conflicts(examples(ROWS), "reject")
    assert split.kept["id"].to_list() == ["old", "short-a", "short-b", "other"]
    assert dict(split.rejected.select("id", "reject_detail").iter_rows()) == {
        "new": "same prompt as old with a different answer",
        "same": "same prompt as old with a different answer",
    }
