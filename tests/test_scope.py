"""An open question about a name heading is asked in the scope its page answers it in, or refused
(pipeline/generate/scope.py). The pages are the shapes a team handbook has, written for these tests."""

import polars as pl
import pytest

from pipeline.config import GenerateConfig
from pipeline.generate.extractive import generate_extractive
from pipeline.generate.scope import opens_with, organisation_use, within_parent
from pipeline.sections import split_sections

CONTRIBUTING = """# Contributing to the wiki

## Running the wiki locally

### Node.js

If you have Node.js installed, you can run the wiki directly, and the browser reloads faster. You may need
administrator rights on your laptop to install Node.js in the first place; ask the help desk if you do not have them.
From the wiki's root directory, run `npm ci` and then `npm start`, and open your browser at localhost port 8080.

## Making your changes

### CODEOWNERS

The wiki uses the code owners feature to add the owning team as a reviewer of every change automatically, so in
most cases you as a contributor should not need to add anyone for a review. If the wrong team was added, open a
change to the owners file at the top level of the project and tag the team that should own the page.

## Programs

### Mentoring Circle Program (MCP)

The Mentoring Circle Program pairs new staff with two mentors from other teams for their first six months, meeting
every other week. Supervisors nominate their new staff in the first month, and the people team runs a kickoff each
quarter for everyone who joined in it, with the mentors. Mentors get an hour a week of their time for it.
"""


def generated(text: str, title: str) -> tuple[dict[str, str], dict[str, str]]:
    documents = pl.DataFrame([{"doc_id": "d", "source": "page.md", "format": "md", "title": title, "text": text}])
    made = generate_extractive(split_sections(documents), GenerateConfig(extractors=["heading"]))
    kept = {row["section"].split(" > ")[-1]: row["messages"][0]["content"] for row in made.kept.iter_rows(named=True)}
    refused = {row["section"].split(" > ")[-1]: row["reject_reason"] for row in made.rejected.iter_rows(named=True)}
    return kept, refused


def test_a_name_under_an_activity_is_asked_within_it():
    kept, refused = generated(CONTRIBUTING, "Contributing to the wiki")
    assert kept["Node.js"].endswith("about Node.js when running the wiki locally?") or kept["Node.js"].endswith(
        "about Node.js when running the wiki locally."
    )
    assert refused["CODEOWNERS"] == "needs_context"  # "when making my changes" says nothing more
    assert "Mentoring Circle Program" in kept["Mentoring Circle Program (MCP)"]  # the section is about it


@pytest.mark.parametrize(
    ("prompt", "heading", "ancestors", "expected"),
    [
        ("Tell me about Node.js.", "Node.js", ["Running the wiki locally"], "Tell me about Node.js when running the wiki locally."),
        ("What should I know about Supervisors?", "Supervisors", ["Who we are"], None),
        ("What do I need to know about OMB MAX?", "OMB MAX", ["Tools"], "What do I need to know about OMB MAX?"),
        ("What should I know about bike parking?", "Bike parking", ["Getting to the office"], "What should I know about bike parking?"),
        ("How do I install Node.js?", "Node.js", ["Running the wiki locally"], "How do I install Node.js?"),
        ("Tell me about Node.js.", "Node.js", [], "Tell me about Node.js."),  # the page's own subject
    ],
)  # fmt: skip
def test_within_parent(prompt, heading, ancestors, expected):
    body = "If you have it installed, the wiki runs directly."
    assert within_parent(prompt, heading, body, ancestors, frozenset()).prompt == expected


@pytest.mark.parametrize(
    ("subject", "body", "opens"),
    [
        ("Mentoring Circle Program (MCP)", "The Mentoring Circle Program pairs new staff ...", True),
        ("Supervisors", "The Engineering Supervisors are responsible for ...", False),  # a narrower thing
        ("Node.js", "If you have Node.js installed ...", False),
        ("GitHub", "GitHub Enterprise is ...", False),
    ],
)
def test_opens_with(subject, body, opens):
    assert opens_with(subject, body) is opens


@pytest.mark.parametrize(
    ("prompt", "body", "expected"),
    [
        (
            "Tell me about Microsoft Office.",
            "At TTS, Google Docs is our preferred tool for documents. You will probably never need Office.",
            "How does TTS use Microsoft Office?",
        ),
        (
            "Tell me about the fellows program.",
            "At TTS, fellows join for a year.",
            "Tell me about the fellows program.",
        ),
        (
            "Tell me about Presidential Fellows.",
            "In 2012, the White House started ...",
            "Tell me about Presidential Fellows.",
        ),
        ("Tell me about TTS Slack.", "At TTS, Slack is ...", "Tell me about TTS Slack."),  # says the name already
    ],
)
def test_organisation_use(prompt, body, expected):
    assert organisation_use(prompt, body) == expected
