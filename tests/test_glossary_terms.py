"""Glossary entries: whole definitions over wrapped lines; labelled paragraphs are not definitions."""

import polars as pl

from pipeline.config import GenerateConfig
from pipeline.generate.extractive import generate_extractive
from pipeline.grounding import check_grounding
from pipeline.sections import split_sections

PAGE = """# Working here

## Acronyms

**ATO**: Authority to Operate. A sign-off from an agency official that lets a
website go live with real users.
**CMS**: Content Management System.

## Running good 1:1s

- **Feedback**: this is a big topic, more than can be covered here.
- **Maintain a good rapport**: Keep the relationship warm between projects.
- **Agile**: A software development method based on short iterations.
- **Your manager**: The person you report to.
"""


def test_definitions_are_whole_and_labels_are_not_terms():
    documents = pl.DataFrame([{"doc_id": "d", "source": "w.md", "format": "md", "title": "Working here", "text": PAGE}])
    made = generate_extractive(split_sections(documents), GenerateConfig(extractors=["glossary"]))
    kept = check_grounding(made.kept, documents).kept
    answers = {turns[0]["content"]: turns[1]["content"] for turns in kept["messages"].to_list()}
    assert len(answers) == 3
    ato = next(answer for question, answer in answers.items() if "ATO" in question)
    assert ato.endswith("website go live with real users.")  # the wrapped line belongs to the definition
    assert any("agile" in question.lower() for question in answers)
    assert not any(word in " ".join(answers) for word in ("Feedback", "rapport", "manager"))


GLOSSARY = """# Glossary

## Terms

**ATO**: Authority to Operate. A sign-off for a website to go live.
**COP**: coefficient of performance, heat out divided by electricity in.
**18F**: A digital services agency inside the General Services Administration.
**CX**: Customer Experience.
**Latinx**: A space for people who identify as Latinx, Hispanic or Chicanx.
**TTS Newsletters**: We also provide monthly updates to TTS employees by way of newsletters.
**USWDS Assets**: Download design kits with the most common components.
**crowd-sourced glossary (Tip**: Type a term in Slack and a bot answers.
"""


def test_acronyms_are_asked_as_acronyms_and_non_definitions_are_skipped():
    documents = pl.DataFrame([{"doc_id": "g", "source": "g.md", "format": "md", "title": "Glossary", "text": GLOSSARY}])
    made = generate_extractive(split_sections(documents), GenerateConfig(extractors=["glossary"]))
    questions = [turns[0]["content"] for turns in made.kept["messages"].to_list()]
    assert questions == [
        "What does ATO stand for?",  # the definition expands it
        "What does COP stand for?",  # coefficient Of performance: small words count
        "What does the term 18F mean?",  # short: say what kind of word is asked about
    ]  # "CX" is not spelled by "Customer Experience" and too short to ask "What is CX?"; a group's space, the page
    # speaking, an instruction and a broken term are no definitions


def test_ordinary_words_are_asked_in_lower_case_and_noun_phrases_are_no_answers():
    page = (
        "# Glossary\n\n## Terms\n\n**Backup reserve**: The share of charge kept back for power cuts.\n"
        "**String**: a group of solar panels connected in series to one inverter input.\n"
    )
    documents = pl.DataFrame([{"doc_id": "g", "source": "g.md", "format": "md", "title": "Glossary", "text": page}])
    made = generate_extractive(split_sections(documents), GenerateConfig(extractors=["glossary"]))
    questions = [turns[0]["content"] for turns in made.kept["messages"].to_list()]
    assert questions[0] in ("What does backup reserve mean?", "What is meant by backup reserve?")
    assert all("String" not in question for question in questions)  # "string" if anything
