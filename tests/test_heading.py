"""The heading extractor's choices over whole section bodies: which question a body answers, and which it
cannot answer (pipeline/generate/heading.py)."""

import polars as pl
import pytest

from pipeline.config import GenerateConfig
from pipeline.generate.extractive import generate_extractive
from pipeline.generate.heading import about_the_task, as_the_body_says, gives_steps
from pipeline.sections import split_sections

STEPS_PAGE = """# Equipment and access

## Returning your equipment when leaving

When you leave the company you are responsible for returning all company-issued equipment, including the laptop,
the charger and your badge. Failure to do so may lead to your final paycheck being withheld until the equipment
is returned, and the security team may disable your accounts early. Equipment bought with a project budget belongs
to the project.

## Copy your public key from the password manager

The key lives in the password manager entry you made when you generated it.

1. Double-click the password manager entry that holds your keys.
2. Click **SSH Agent** in the left sidebar.
3. Copy the text labelled **Public key**.

## Reserve a meeting room

Use BookIt to reserve rooms. The team space is in the 6400 wing, so meeting rooms in 6400, 6100 or 6200 are the
closest ones to the desks.

## Laws and regulations

Staff follow the Records Act for everything they write at work, and the Privacy Act for anything that holds a
person's name, address or case number. Each applies from the first day, whatever the project, and both are covered
in the annual training that every employee completes in the learning portal before the end of March.
"""


def generated(text: str) -> tuple[dict[str, str], dict[str, str]]:
    documents = pl.DataFrame(
        [{"doc_id": "d", "source": "equipment.md", "format": "md", "title": "Equipment and access", "text": text}]
    )
    made = generate_extractive(split_sections(documents), GenerateConfig(extractors=["heading"]))
    kept = {row["section"].split(" > ")[-1]: row["messages"][0]["content"] for row in made.kept.iter_rows(named=True)}
    refused = {row["section"].split(" > ")[-1]: row["reject_reason"] for row in made.rejected.iter_rows(named=True)}
    return kept, refused


def test_a_body_that_describes_a_task_is_asked_about_not_asked_how():
    """Graded blind, "How do I return my equipment?" over "you are responsible for returning ..." was dropped: the
    body says what to know about the task, so that is what the question asks."""
    kept, _ = generated(STEPS_PAGE)
    assert kept["Returning your equipment when leaving"].endswith("returning my equipment when leaving?") or kept[
        "Returning your equipment when leaving"
    ].startswith("Tell me about returning my equipment")
    assert not kept["Returning your equipment when leaving"].startswith("How do I")


def test_steps_or_an_instruction_keep_the_how_to_question():
    kept, _ = generated(STEPS_PAGE)
    assert kept["Copy your public key from the password manager"] == (
        "How do I copy my public key from the password manager?"
    )
    assert kept["Reserve a meeting room"] == "How do I reserve a meeting room?"  # "Use BookIt ...": an instruction


def test_open_questions_about_two_subjects_or_over_a_stub_are_refused():
    _, refused = generated(STEPS_PAGE)
    assert refused["Laws and regulations"] == "two_subjects"
    _, refused = generated(STEPS_PAGE.replace(", including the laptop,", ".\n\n## Other\n\nThe laptop,"))
    assert refused["Returning your equipment when leaving"] == "thin_answer"  # the body cut to a stub


def test_gives_steps_reads_numbered_lists_instructions_and_the_reader_told_to_act():
    assert gives_steps("How do I submit a ticket?", "1. Open the portal.\n2. Pick DSS.")
    assert gives_steps("How do I book rooms?", "Use BookIt to reserve rooms in the 6400 wing.")
    assert gives_steps("How do I get a card?", "To get a card, you will need to submit form 12 to HR.")
    assert gives_steps("How do I submit the request?", "If it costs money you will need to also submit a request.")
    assert not gives_steps("How do I use comp time?", "Travel comp time expires one year after it is earned.")
    assert not gives_steps("How do I attend orientation?", "The location differs. You will find out on arrival.")
    assert not gives_steps("How do I change my name?", "- Names appear in every system.\n- HR keeps the record.")


def test_about_the_task_turns_each_verb_into_its_gerund():
    assert about_the_task("How do I return my equipment?", 0) == "What should I know about returning my equipment?"
    assert about_the_task("How do I build and maintain relationships?", 3) == (
        "Tell me about building and maintaining relationships."
    )
    assert about_the_task("How do I log into Qualtrics?", 1) == "Can you tell me about logging into Qualtrics?"


@pytest.mark.parametrize(
    ("prompt", "body", "expected"),
    [
        (
            "What is Individual Development Plan?",
            "An Individual Development Plan (IDP) is a tool in the learning portal to plan your training.",
            "What is an Individual Development Plan?",
        ),
        ("What is the google calendar?", "Google Calendar is an online calendar.", "What is Google Calendar?"),
        (
            "What is Federal Employees Retirement System (FERS)?",
            "The Federal Employees Retirement System (FERS) is the retirement plan of most employees.",
            "What is the Federal Employees Retirement System (FERS)?",
        ),
        (
            "What is brand management?",
            "Brand management means presenting us consistently.",
            "What is brand management?",
        ),
        ("What is Docker Hub?", "Docker Hub is a container registry.", "What is Docker Hub?"),
        ("What is a COR?", "The Contracting Officer's Representative (COR) helps the CO.", "What is a COR?"),
        ("How do I use Docker Hub?", "Docker Hub is a container registry.", "How do I use Docker Hub?"),
    ],
)
def test_a_what_is_question_takes_the_article_and_case_its_body_gives(prompt, body, expected):
    """Graded blind, "What is Individual Development Plan?" was dropped as ungrammatical: a title-cased heading
    loses its article, and the body's first words still have it."""
    assert as_the_body_says(prompt, body) == expected
