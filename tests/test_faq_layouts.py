"""FAQ layouts as real teams write them: one example per explicit question, answers without their labels."""

import polars as pl
import pytest

from pipeline.config import GenerateConfig
from pipeline.generate.extractive import generate_extractive
from pipeline.grounding import check_grounding
from pipeline.sections import split_sections

FAQ_PAGE = """# Benefits questions

## Health insurance

#### **Q: How do I waive health insurance?**

- A: Send the signed waiver form to the People team within 30 days of your start date.

#### **Q: When does my health insurance end after I leave?**

- A: On your last day.

## Pension

**How much does the company pay into my pension?**
It pays 6% of your base salary every month.

**Can I transfer an old pension into the company plan?**
Not at this time.

### 3. How do I change my pension contribution?

Change it in the payroll portal before the 10th of the month; it applies from the next payslip.

### Who works here?

Forty-two people in three offices.

### Interested but unsure?

Talk to the People team first.
"""


def generated(text: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    documents = pl.DataFrame(
        [{"doc_id": "d", "source": "faq.md", "format": "md", "title": "Benefits questions", "text": text}]
    )
    made = generate_extractive(split_sections(documents), GenerateConfig(extractors=["faq"]))
    grounded = check_grounding(made.kept, documents)
    assert grounded.rejected.height == 0, grounded.rejected["reject_detail"].to_list()
    return grounded.kept, made.rejected


def pairs(kept: pl.DataFrame) -> list[tuple[str, str]]:
    return [(turns[0]["content"], turns[1]["content"]) for turns in kept["messages"].to_list()]


def test_each_explicit_question_gives_one_example_answered_without_its_label():
    kept, _ = generated(FAQ_PAGE)
    assert pairs(kept) == [
        (
            "How do I waive health insurance?",
            "Send the signed waiver form to the People team within 30 days of your start date.",
        ),
        ("When does my health insurance end after I leave?", "On your last day."),
        ("How much does the company pay into my pension?", "It pays 6% of your base salary every month."),
        ("Can I transfer an old pension into the company plan?", "Not at this time."),
        (
            "How do I change my pension contribution?",
            "Change it in the payroll portal before the 10th of the month; it applies from the next payslip.",
        ),
    ]


@pytest.mark.parametrize(
    ("question", "why"),
    [("Who works here?", "points at its page"), ("Interested but unsure?", "not phrased as a question")],
)
def test_questions_that_do_not_stand_alone_are_refused(question, why):
    _, rejected = generated(FAQ_PAGE)
    refused = rejected.filter(pl.col("reject_reason") == "no_subject")
    details = dict(zip(refused["messages"].list.first().struct.field("content"), refused["reject_detail"], strict=True))
    assert why in details[question]
