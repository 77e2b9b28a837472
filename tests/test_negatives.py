"""Preference negatives: ranked by similarity to the prompt, nearest first, weak ones rejected, ids unique."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import GenerateConfig, PreferenceConfig
from pipeline.errors import DuplicateIdError
from pipeline.generate.extractive import generate_extractive
from pipeline.generate.negatives import WEAK_BELOW, WEAK_BELOW_ELSEWHERE, rank_candidates
from pipeline.generate.preference import build_negative_pairs, truncated
from pipeline.records import EXAMPLE, check_unique_ids
from pipeline.sections import split_sections

# The shape of issue 17: an HR handbook whose pages repeat a heading under one parent, and whose only
# other answers near a leave question are about other leave; the performance page shares no word with it.
LEAVE = """# Leave

## Leave of absence

### Who is eligible for a leave of absence?

Employees who have completed twelve months of service may take an unpaid leave of absence of up to twelve weeks.

### Who is eligible for a leave of absence?

Contractors are not covered by this policy: their vendor agreement sets their time off.

## Parental leave

### Who is eligible for parental leave?

Parents of a newborn or newly adopted child may take twelve weeks of paid parental leave within a year.
"""
PERFORMANCE = """# Performance

## Improvement plans

### How does the performance improvement process work?

A performance improvement plan lasts sixty days, with goals written together and a review every two weeks.
"""
SICK = """# Sick time

## Sick leave

### How much sick leave do employees earn?

Employees earn four hours of sick leave every pay period, and unused hours carry over to the next year.
"""


def documents(texts: dict[str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"doc_id": name, "source": f"{name}.md", "format": "md", "title": name, "text": text.strip()}
            for name, text in texts.items()
        ]
    )


DEFAULT = PreferenceConfig()


def pairs_of(texts: dict[str, str], cfg: PreferenceConfig = DEFAULT):
    sections = split_sections(documents(texts))
    sft = generate_extractive(sections, GenerateConfig(extractors=["faq"])).kept
    return sft, build_negative_pairs(sft, sections, cfg)


def pair(kept: pl.DataFrame, question: str) -> dict:
    rows = kept.filter(pl.col("messages").list.first().struct.field("content") == question)
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def test_candidates_come_nearest_first_and_never_from_the_same_section():
    records = pl.DataFrame(
        {
            "doc_id": ["leave", "leave", "leave", "perf", "sick"],
            "section": ["Absence > Who", "Absence > Who", "Parental > Who", "Plans > How", "Sick > How much"],
            "title": ["Leave", "Leave", "Leave", "Performance", "Sick time"],
            "question": [
                "Who is eligible for a leave of absence?",
                "Who is eligible for a leave of absence?",
                "Who is eligible for parental leave?",
                "How does the performance improvement process work?",
                "How much sick leave do employees earn?",
            ],
        }
    )
    ranked = rank_candidates(records).filter(pl.col("row") == 0)
    assert 1 not in ranked["candidate"].to_list()  # the same heading path is the same section
    assert ranked.select("candidate", "tier").rows() == [(2, 1), (3, 2), (4, 2)]  # ties by position
    similarity = dict(ranked.select("candidate", "similarity").iter_rows())
    # "leave" is the page's title, not what is asked: "eligible" and "absence" are
    assert similarity[2] > WEAK_BELOW > similarity[4] == similarity[3] == 0.0


@pytest.mark.parametrize(
    ("question", "title", "heading", "asked"),
    [
        (
            "What do I need to know about public transit in San Francisco?",
            "San Francisco",
            "Public transit",
            ["public", "transit"],
        ),
        (
            "Tell me about Microsoft Office.",
            "Microsoft Office",
            "",
            ["microsoft", "office"],
        ),  # the title is the subject
        ("How do I publish npm packages for TTS?", "npm", "Publishing", ["publish", "package", "tts"]),
        ("What does FAR stand for?", "Glossary", "FAR", ["far"]),
    ],
)
def test_a_question_asks_its_words_less_its_page_title(question, title, heading, asked):
    records = pl.DataFrame(
        {
            "doc_id": ["a", "b"],
            "section": [heading, "Other"],
            "title": [title, "Other"],
            "question": [question, " ".join(asked) + "?"],  # holds exactly the asked words
        }
    )
    assert rank_candidates(records).filter(pl.col("row") == 0)["similarity"].to_list() == [1.0]


def test_a_leave_question_is_rejected_against_other_leave_not_the_performance_process():
    _, (kept, _) = pairs_of({"leave": LEAVE, "performance": PERFORMANCE, "sick": SICK})
    eligible = pair(kept, "Who is eligible for parental leave?")
    assert eligible["negative"] == "wrong_section"
    assert eligible["rejected"].startswith("Employees who have completed twelve months")
    assert eligible["negative_similarity"] >= WEAK_BELOW
    assert "same document" in eligible["rationale"]
    assert not kept["rejected"].str.contains("performance improvement plan").any()


def test_an_unrelated_negative_is_rejected_as_weak_unless_easy_negatives_are_allowed():
    texts = {"performance": PERFORMANCE, "leave": LEAVE.split("## Parental leave")[0]}
    cfg = PreferenceConfig(negatives=["other_document"])
    _, (_, rejected) = pairs_of(texts, cfg)
    weak = rejected.filter(pl.col("messages").list.first().struct.field("content").str.starts_with("How does"))
    assert weak["reject_reason"].to_list() == ["weak_negative"]
    assert f"(similarity 0.00 < {WEAK_BELOW_ELSEWHERE})" in weak["reject_detail"][0]
    assert "preference.allow_easy_negatives" in weak["reject_detail"][0]

    _, (easy, _) = pairs_of(texts, cfg.model_copy(update={"allow_easy_negatives": True}))
    process = pair(easy, "How does the performance improvement process work?")
    assert process["negative"] == "other_document" and process["negative_similarity"] < WEAK_BELOW


def test_an_answer_to_the_same_question_is_never_the_negative():
    staff = "# Staff\n\n## Leave\n\n### Who is eligible for a leave of absence?\n\n" + (
        "Employees who have completed twelve months of service may take up to twelve weeks of unpaid leave."
    )
    contractors = "# Contractors\n\n## Leave\n\n### Who is eligible for a leave of absence?\n\n" + (
        "Contractors are not covered by this policy: their vendor agreement sets their time off instead."
    )
    _, (kept, rejected) = pairs_of(
        {"staff": staff, "contractors": contractors}, PreferenceConfig(negatives=["other_document"])
    )
    assert kept.height == 0
    assert rejected["reject_reason"].to_list() == ["negative_answers_prompt"] * 2
    assert (
        rejected["reject_detail"][0]
        == 'the rejected answer answers the same question: "Who is eligible for a leave of absence?"'
    )


def test_namesake_sections_give_one_pair_each():
    sft, (kept, rejected) = pairs_of({"leave": LEAVE, "sick": SICK})
    assert kept["id"].is_unique().all()
    assert (
        kept.height
        + rejected.filter(pl.col("kind") == "preference").height
        + rejected.filter(pl.col("kind") == "sft").height
        == sft.height
    )  # per_example=1: one pair or one reject per answer, never one per namesake


HEADINGS = st.sampled_from(["Eligibility", "Who is eligible for leave?", "How do I apply for leave?", "Notes"])
BODIES = st.sampled_from(
    [
        "Employees with a year of service may take twelve weeks of unpaid leave after approval.",
        "Apply for leave in writing to your supervisor at least thirty days before it starts.",
        "Parents may take twelve weeks of paid parental leave within a year of a birth.",
    ]
)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.tuples(HEADINGS, BODIES), min_size=1, max_size=5), min_size=1, max_size=3))
def test_pair_ids_are_unique_however_headings_repeat(pages):
    texts = {
        f"page{n}": "# Handbook\n\n" + "\n\n".join(f"## {heading}\n\n{body}" for heading, body in sections)
        for n, sections in enumerate(pages)
    }
    _, (kept, _) = pairs_of(texts, PreferenceConfig(allow_easy_negatives=True, per_example=3))
    assert kept["id"].is_unique().all()


@given(st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), max_size=8))
def test_a_repeated_id_fails_the_run_as_an_internal_error(ids):
    frame = pl.DataFrame(
        {"id": ids, "source": ["handbook.pdf"] * len(ids)}, schema={"id": pl.String, "source": pl.String}
    )
    if len(set(ids)) == len(ids):
        check_unique_ids(frame, "preference pairs")
        return
    with pytest.raises(DuplicateIdError, match=r"^internal error: \d+ ids are shared by several preference pairs"):
        check_unique_ids(frame, "preference pairs")


ROOMS = "## Rooms\n\n### How do I book rooms?\n\nReserve meeting rooms in the booking tool up to four weeks ahead; large rooms need a manager's approval.\n"
TRAVEL = "## Travel\n\n### How do I book travel?\n\nBook flights and hotels through the travel portal after your trip request has been approved by your supervisor.\n"
PARKING = "## Parking\n\n### Where can staff park bicycles?\n\nBicycles go in the locked cage behind the loading dock; ask reception for the code on your first day.\n"


def test_another_documents_answer_needs_a_closer_question_than_the_same_documents():
    """ "book rooms" and "book travel" share one of two asked words (similarity about 0.32): a plausible
    neighbour on one page of the office handbook, too loose a tie from another page."""
    _, (same, _) = pairs_of({"office": f"# Office\n\n{ROOMS}\n{TRAVEL}\n{PARKING}"})
    rooms = pair(same, "How do I book rooms?")
    assert rooms["negative"] == "wrong_section" and rooms["rejected"].startswith("Book flights and hotels")
    assert WEAK_BELOW <= rooms["negative_similarity"] < WEAK_BELOW_ELSEWHERE

    _, (elsewhere, rejected) = pairs_of(
        {"office": f"# Office\n\n{ROOMS}\n{PARKING}", "travel": f"# Office\n\n{TRAVEL}"}
    )
    assert elsewhere.height == 0
    assert rejected.filter(pl.col("reject_detail").str.contains("other_document answer is unrelated")).height == 1


@pytest.mark.parametrize(
    ("question", "answer", "cut"),
    [
        (
            "In Writing Lab, what should I do if my issue isn't picked up?",
            "Lab members assign themselves to issues as they can. If your issue is not picked up within three days, ping the team.",
            "Lab members assign themselves to issues as they can.",
        ),
        ("How do I add my keys to KeePassXC?", "1. Add the keys to a KeePassXC entry for your GitHub account.", None),
        (
            "What is the Researcher's role?",
            "This is you! The researcher documents the research plans for the role.",
            None,
        ),
    ],
)
def test_a_truncated_answer_must_still_read_as_one(question, answer, cut):
    assert (truncated(question, answer) or (None,))[0] == cut


def test_a_definition_is_never_truncated():
    """A definition's first sentence is the definition: cut after it, it is still the right answer."""
    text = (
        "# Glossary\n\n## Procurement vehicle\n\nAn existing mechanism set up to let agencies work with vendors. "
        "GSA manages a number of procurement vehicles, including ones for information technology."
    )
    sections = split_sections(documents({"glossary": text}))
    row = sections.row(0, named=True)
    question = "What is meant by procurement vehicle?"
    sft = pl.DataFrame(
        [
            {
                "id": f"{task}-1", "kind": "sft", "task": task, "doc_id": "glossary", "source": "glossary.md",
                "section": row["section"], "span_start": row["body_start"], "span_end": row["body_end"],
                "messages": [{"role": "user", "content": question}, {"role": "assistant", "content": row["body"]}],
            }
            for task in ("glossary", "heading")
        ],
        schema=EXAMPLE,
    )  # fmt: skip
    kept, rejected = build_negative_pairs(sft, sections, PreferenceConfig(negatives=["truncated"]))
    assert kept["task"].to_list() == ["heading"]  # the same text under another task is cut
    assert rejected.select("task", "reject_reason").rows() == [("glossary", "no_negative")]
