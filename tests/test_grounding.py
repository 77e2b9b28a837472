"""The grounding rule for composed answers: a table row as `- **Label**: value` lines, each part in the table."""

import polars as pl

from pipeline.config import GenerateConfig
from pipeline.generate.extractive import generate_extractive
from pipeline.grounding import COMPOSED_TASKS, check_grounding
from pipeline.sections import split_sections

TEXT = """# People handbook

## Leave types

| Leave type | Accrual | Carry-over |
|---|---|---|
| **Annual leave** | 2.5 days   per month | Up to **5 days** |
| Sick leave | 10 days per year | None |"""


def documents() -> pl.DataFrame:
    return pl.DataFrame(
        {"doc_id": ["d1"], "source": ["people.md"], "format": ["md"], "title": ["People handbook"], "text": [TEXT]}
    )


def entries() -> pl.DataFrame:
    kept, _ = generate_extractive(split_sections(documents()), GenerateConfig(extractors=["table"]))
    assert set(kept["task"]) == {"table_entry"} and set(kept["task"]) <= set(COMPOSED_TASKS)
    return kept


def with_answer(examples: pl.DataFrame, answer: str) -> pl.DataFrame:
    first = examples.head(1).to_dicts()[0]
    first["messages"] = [first["messages"][0], {"role": "assistant", "content": answer}]
    return pl.DataFrame([first], schema=examples.schema)


def test_composed_answers_from_the_table_are_grounded_despite_bold_and_spacing():
    kept = entries()
    assert (
        kept["messages"][0][-1]["content"] == "- **Accrual**: 2.5 days   per month\n- **Carry-over**: Up to **5 days**"
    )
    result = check_grounding(kept, documents())
    assert result.rejected.height == 0 and result.kept.height == 2


def test_a_composed_answer_with_a_value_not_in_the_table_is_ungrounded():
    tampered = with_answer(entries(), "- **Accrual**: 2.5 days per month\n- **Carry-over**: Up to 10 days")
    result = check_grounding(tampered, documents())
    assert result.rejected["reject_reason"].to_list() == ["ungrounded"]
    assert result.rejected["reject_detail"][0].startswith("a label or value of the answer is not in people.md[")


def test_a_composed_answer_with_a_label_not_in_the_table_is_ungrounded():
    tampered = with_answer(entries(), "- **Accrual**: 2.5 days per month\n- **Notice period**: None")
    assert check_grounding(tampered, documents()).rejected["reject_reason"].to_list() == ["ungrounded"]


def test_a_composed_answer_must_take_its_values_from_its_own_span():
    kept = entries()
    sick = kept.filter(pl.col("messages").list.first().struct.field("content").str.contains("sick"))
    tampered = sick.with_columns(span_end=pl.col("span_start") + 60)  # the header only, not the sick-leave row
    assert check_grounding(tampered, documents()).rejected["reject_reason"].to_list() == ["ungrounded"]


def test_an_empty_composed_answer_is_ungrounded():
    assert check_grounding(with_answer(entries(), "  \n"), documents()).rejected.height == 1
