"""Plain text without explicit structure: heading and question lines found, and nothing else touched."""

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import GenerateConfig, IngestConfig
from pipeline.generate.extractive import generate_extractive
from pipeline.ingest import read_sources
from pipeline.ingest.files import decode_text
from pipeline.ingest.plain_text import plain_text_to_markdown
from pipeline.sections import split_sections
from tests.conftest import write_files

STAFF_GUIDE = """Larkspur Logistics Staff Guide

This guide is for everyone who works at our depots. It is short on
purpose: the details are in the policies on the intranet.


Working hours

Office staff work 37.5 hours a week. Core hours are 10:00 to 15:00 from
Monday to Friday, and shift patterns differ by depot.

Annual leave
You have 28 days of annual leave a year, plus public holidays. Book
leave in the HR portal at least two weeks ahead.

How do I claim expenses?
Use the finance app within 60 days, with a photo of every receipt.

Can I work from home?

Yes, two days a week.
"""


def headings(text: str) -> list[str]:
    return re.findall(r"^#+ .*$", text, re.MULTILINE)


def test_headings_and_questions_of_an_unstructured_text():
    assert headings(plain_text_to_markdown(STAFF_GUIDE)) == [
        "## Larkspur Logistics Staff Guide",
        "## Working hours",
        "## Annual leave",
        "### How do I claim expenses?",
        "### Can I work from home?",
    ]


@pytest.mark.parametrize(
    "text",
    [
        # a wrapped paragraph: the next word would not have fitted on the short first line
        "Intro line that is long enough to set the width of this text here.\n\nThe pump stops at night\n"
        "because the defrost cycle needs a rest, which is normal in winter months.",
        "- Book leave early\n\nThe portal sends your request to your manager straight away.",
        "1. Open the portal\n\nThe portal sends your request to your manager straight away.",
        "Contact: the HR team\n\nThe HR team answers every message within two working days.",
        "NOTE\n\nThe HR team answers every message within two working days at the latest.",
        "12 March 2025\n\nThe policy was updated on that date and replaces the earlier one.",
        "2025\n\nThe policy was updated in that year and replaces the earlier one.",
        "Hi Sam\n\nThanks for your message about the leave request, I will reply soon.",
        "Kind regards\n\nTom from the HR team, who answers your questions about leave.",
        "Opening hours\n\n09:00 to 17:00",  # not a paragraph after it
        "The details of leave for\n\nstaff on fixed-term contracts are in the intranet policy.",
        "Questions we get\n- about leave\n- about pay",  # a heading needs a paragraph, not a list
        "Some text before.\nTrailing line without a blank before it\n\nA paragraph that follows it here.",
        "Q: How much leave do I have?\nA: 28 days a year, plus public holidays.",
        "How much leave do I have?\nWhat about public holidays?\n\nYou have 28 days a year, plus public holidays.",
        "# Leave\n\nWorking hours\n\nOffice staff work 37.5 hours a week, from Monday to Friday.",  # has structure
        "Leave\n=====\n\nWorking hours\n\nOffice staff work 37.5 hours a week, from Monday to Friday.",
    ],
)
def test_lines_that_are_not_headings_are_left_alone(text):
    assert plain_text_to_markdown(text) == text


@pytest.mark.parametrize(
    "line",
    [
        "Step 3: Bleed the radiators",  # a numbered label, unlike `Key: value`
        "ANNUAL LEAVE",  # all caps, but not a one-word banner
        "2.3 Claiming expenses",
        "Version 3.4.2 (released 10 March 2025)",
        "Best practices for safety",  # "Best" starts a sign-off only as "Best regards" or "Best wishes"
    ],
)
def test_heading_lines(line):
    text = f"{line}\n\nOpen each valve until water comes out, then close it again."
    assert headings(plain_text_to_markdown(text)) == [f"## {line}"]


def test_structured_sample_texts_are_unchanged():
    """Every sample .txt already has # or setext headings: their documents are what they were."""
    for path in sorted((Path(__file__).resolve().parents[1] / "sample_data").rglob("*.txt")):
        text, _ = decode_text(path.read_bytes(), None)
        if text is not None:
            assert plain_text_to_markdown(text) == text, path.name


def test_txt_faq_gives_one_example_per_question(tmp_path):
    write_files(tmp_path, {"staff-guide.txt": STAFF_GUIDE})
    documents = read_sources([tmp_path], IngestConfig()).documents
    assert "\n### How do I claim expenses?\nUse the finance app" in documents["text"][0]
    examples = generate_extractive(split_sections(documents), GenerateConfig()).kept
    faq = {row["messages"][0]["content"]: row["messages"][1]["content"] for row in examples.iter_rows(named=True)}
    assert faq["How do I claim expenses?"] == "Use the finance app within 60 days, with a photo of every receipt."
    assert faq["Can I work from home?"] == "Yes, two days a week."
    prompts = [row["messages"][0]["content"] for row in examples.iter_rows(named=True)]
    assert prompts.count("How do I claim expenses?") == prompts.count("Can I work from home?") == 1


PIECES = st.sampled_from(
    [
        "", "", "", "Working hours", "How do I reset it?", "NOTE", "- item", "1. Step", "Key: value", "12 March 2025",
        "Office staff work 37.5 hours a week.", "and the rest of a wrapped line", "=====", "---", "# Title", "## Sub",
        "   indented line", "Ends with colon:", "C#", "\r", "Step 3: Do it", "Hi Sam", "Yes.", "?", "#", "\t",
    ]
)  # fmt: skip
LINES = st.lists(st.one_of(PIECES, st.text(max_size=40)), max_size=30)


@settings(max_examples=400)
@given(LINES)
def test_the_detector_never_drops_or_reorders_characters(lines):
    """It never raises, and only puts `## ` or `### ` before whole lines."""
    text = "\n".join(lines)
    before, after = text.split("\n"), plain_text_to_markdown(text).split("\n")
    assert len(after) == len(before)
    added = [new[: len(new) - len(old)] for old, new in zip(before, after, strict=True)]
    assert set(added) <= {"", "## ", "### "}
    rest = "\n".join(new[len(marker) :] for marker, new in zip(added, after, strict=True))
    assert rest == text
    assert "".join(rest.split()) == "".join(text.split())


def test_wrapped_lines_are_joined_back_into_their_sentences():
    from pipeline.ingest.plain_text import unwrap_lines

    text = (
        "Missed appointment macro\n"
        "We are sorry we missed you today. You can offer a 20 euro credit, and any extra goodwill needs\n"
        "team lead approval before it is promised to the customer.\n"
        "- First item of a list\n"
        "- second item stays its own line\n"
        "Title line\n"
        "lower-case text after a short line stays apart\n"
    )
    assert unwrap_lines(text).split("\n")[1:3] == [
        "We are sorry we missed you today. You can offer a 20 euro credit, and any extra goodwill needs team lead "
        "approval before it is promised to the customer.",
        "- First item of a list",
    ]
    assert "- second item stays its own line\nTitle line\nlower-case text" in unwrap_lines(text)
