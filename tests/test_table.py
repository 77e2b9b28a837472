"""Tables by their shape: entity rows, key-value attributes, career-ladder levels, and the shapes that yield nothing."""

import polars as pl
import pytest

from pipeline.blocks import split_blocks
from pipeline.config import GenerateConfig
from pipeline.generate.extractive import generate_extractive
from pipeline.generate.table import read_table, shape
from pipeline.grounding import check_grounding
from pipeline.sections import split_sections

LADDER_ROWS = """# Engineering handbook

## SRE career ladder

Each level builds on the one before it.

| Level | Scope | Mastery | Impact | Collaboration |
|---|---|---|---|---|
| **L2** | Owns tasks within one service | Follows the [runbooks](https://wiki.example.org/runbooks) | Closes incidents for their team | Asks for review early |
| L3 | Owns **one service** end to end | Writes and improves runbooks | Reduces repeat incidents | Pairs with L2 engineers on call |
| L4 | Owns a group of services | Designs failover for a service group | Sets reliability targets for a product area | Leads incident reviews across teams |
"""

LADDER_COLUMNS = """# Engineering handbook

## Reliability engineering levels

| Criterion | SRE (L2) | Senior SRE (L3) | Staff SRE (L4) |
|---|---|---|---|
| Scope | One service | A group of services | A product area |
| Mastery | Follows runbooks | Writes runbooks | Designs failover |
| Impact | Closes incidents | Reduces repeat incidents | Sets reliability targets |
| Collaboration | Asks for review | Mentors new on-call staff | Leads incident reviews |
"""

LEAVE = """# People handbook

## Leave types

| Leave type | Accrual | Carry-over |
|---|---|---|
| Annual leave | 2.5 days per month | Up to 5 days into the next year |
| Sick leave | 10 days per year | None |
| Parental leave | 26 weeks at full pay | - |
| [Study leave](https://intranet.example.org/study) | 5 days per year | Not carried over |
"""

OFFICE = """# Offices

## Leeds office

| Property | Value |
|---|---|
| Address | 14 Wharf Street, Leeds LS2 7EQ |
| Opening hours | 08:00-18:30, Monday to Friday |
| Wi-Fi network | BW-Guest |
| Step-free access | Yes |
"""

FEATURES_YN = """# Plans

## What each plan includes

| Feature | Free plan | Pro plan |
|---|---|---|
| Offline mode | N | Y |
| Shared folders | Y | Y |
| Audit log | N | ✓ |

| Organisation | Government-owned | Managed by us |
|---|---|---|
| Open Data Team | Y | N |
| Design System | Y | Y |
"""

NUMBERS = """# Support

## Ticket volumes

| Team | Tickets | Escalations |
|---|---|---|
| Billing | 1,204 | 37 |
| Hardware | 877 | 52 |
| Accounts | 640 | 12 |

| Month | Opened | Closed |
|---|---|---|
| March 2024 | 310 | 298 |
| April 2024 | 295 | 301 |
"""

EMPTY_HEADER = """# Timesheets

## Two timesheets compared

|  | Project timesheet | Payroll timesheet |
|---|---|---|
| Cadence | Weekly | Every two weeks |
| Goal | Bill partners for time spent | Pay for hours worked |

| Model | | Price |
|---|---|---|
| HP-7 | 7 kW | £4,200 |
"""

MODELS = """# Heat pumps

## Models

| Model | Output (kW) | Price | Noise |
|---|---|---|---|
| HP-7 | 7 | £4,200 | 42 dB(A) at 1 m |
| HP-12 | 12 | £5,900 | 45 dB(A) at 1 m |
"""


def run(text: str, **settings) -> tuple[pl.DataFrame, pl.DataFrame]:
    docs = pl.DataFrame(
        {"doc_id": ["d1"], "source": ["handbook.md"], "format": ["md"], "title": [text.split("\n")[0][2:]]}
    ).with_columns(text=pl.lit(text.strip("\n")))
    kept, _ = generate_extractive(split_sections(docs), GenerateConfig(extractors=["table"], **settings))
    grounded = check_grounding(kept, docs)
    assert grounded.rejected.height == 0, grounded.rejected["reject_detail"].to_list()
    return grounded.kept, docs


def pairs(kept: pl.DataFrame) -> list[tuple[str, str, str]]:
    return [(task, m[0]["content"], m[-1]["content"]) for task, m in kept.select("task", "messages").iter_rows()]


def shapes(text: str) -> list[str]:
    docs = pl.DataFrame({"doc_id": ["d1"], "source": ["s.md"], "format": ["md"], "title": ["T"], "text": [text]})
    found = []
    for section in split_sections(docs).iter_rows(named=True):
        for block in split_blocks(section["body"]):
            table = read_table(block) if block.kind == "table" else None
            found += [shape(table, section)] if table else []
    return found


def test_a_ladder_with_levels_in_rows_gives_one_example_per_level_naming_the_ladder():
    kept, _ = run(LADDER_ROWS)
    assert [question for _, question, _ in pairs(kept)] == [
        "What is expected at level L2 of the SRE career ladder?",
        "What is expected at level L3 of the SRE career ladder?",
        "What is expected at level L4 of the SRE career ladder?",
    ]
    task, _, answer = pairs(kept)[1]
    assert task == "table_level"
    assert answer == (
        "- **Scope**: Owns **one service** end to end\n"
        "- **Mastery**: Writes and improves runbooks\n"
        "- **Impact**: Reduces repeat incidents\n"
        "- **Collaboration**: Pairs with L2 engineers on call"
    )
    assert "[runbooks](https://wiki.example.org/runbooks)" in pairs(kept)[0][2]  # links stay in answers


def test_a_ladder_with_levels_in_columns_asks_about_each_role():
    kept, _ = run(LADDER_COLUMNS)
    found = pairs(kept)
    assert [question for _, question, _ in found] == [
        "What is expected of an SRE (L2)?",
        "What is expected of a Senior SRE (L3)?",
        "What is expected of a Staff SRE (L4)?",
    ]
    assert found[1][2] == (
        "- **Scope**: A group of services\n- **Mastery**: Writes runbooks\n"
        "- **Impact**: Reduces repeat incidents\n- **Collaboration**: Mentors new on-call staff"
    )


def test_bare_levels_are_not_asked_about_when_no_heading_names_the_ladder():
    text = LADDER_ROWS.replace("# Engineering handbook", "# Handbook").replace("## SRE career ladder", "## Levels")
    assert shapes(text.strip()) == ["matrix_rows"]
    kept, _ = run(text)
    assert kept.height == 0


def test_an_entity_table_gives_one_example_per_row_with_its_attributes():
    kept, _ = run(LEAVE)
    assert pairs(kept) == [
        (
            "table_entry",
            "What are the accrual and carry-over of annual leave?",
            "- **Accrual**: 2.5 days per month\n- **Carry-over**: Up to 5 days into the next year",
        ),
        (
            "table_entry",
            "What are the accrual and carry-over for sick leave?",
            "- **Accrual**: 10 days per year\n- **Carry-over**: None",
        ),
        ("table_cell", "What is the accrual of parental leave?", "26 weeks at full pay"),  # "-" is no value
    ]  # the linked label is skipped: no prompt carries a link


def test_a_single_word_first_header_names_the_kind_and_quantities_keep_their_numbers():
    kept, _ = run(MODELS)
    assert pairs(kept)[0] == (
        "table_entry",
        "What are the output (kW), price and noise of the HP-7 model?",
        "- **Output (kW)**: 7\n- **Price**: £4,200\n- **Noise**: 42 dB(A) at 1 m",
    )


def test_a_key_value_table_asks_about_the_thing_its_heading_names():
    kept, _ = run(OFFICE)
    assert pairs(kept) == [
        ("table_cell", "What is the address of the Leeds office?", "14 Wharf Street, Leeds LS2 7EQ"),
        ("table_cell", "What are the opening hours of the Leeds office?", "08:00-18:30, Monday to Friday"),
        ("table_cell", "What is the Wi-Fi network for the Leeds office?", "BW-Guest"),
    ]  # "Step-free access | Yes" is not a real value
    text = OFFICE.strip("\n")
    for _, m, start, end in kept.select("task", "messages", "span_start", "span_end").iter_rows():
        assert text[start:end] == m[-1]["content"]


def test_a_key_value_table_under_a_vague_heading_yields_nothing():
    assert run(OFFICE.replace("# Offices", "# Handbook").replace("## Leeds office", "## Office details"))[0].height == 0


@pytest.mark.parametrize("text", [FEATURES_YN, NUMBERS, EMPTY_HEADER], ids=["yes-no", "numbers", "empty-header"])
def test_yes_no_grids_numbers_and_empty_headers_yield_nothing(text):
    assert set(shapes(text.strip())) == {"other"}
    assert run(text)[0].height == 0


@pytest.mark.parametrize(
    "table",
    [
        "| Action | Owner | Time |\n|---|---|---|\n| Supervisor submits the request | Supervisor | 1 day |",
        "| Date | Item |\n|---|---|\n| October 1, 2024 | Cycle begins |",
        "| Less like... | More like... |\n|---|---|\n| Great job! | Your demo was clear and short. |",
        "| Who | What they do |\n|---|---|\n| Supervisor | Opens the growth plan discussion |",
        "| Name | Owner |\n|---|---|\n| Alpha | Ana | Extra |",  # ragged: a merged or stray cell
        "| Name | Owner |\n| Alpha | Ana |\n| Beta | Ben |",  # no delimiter row
        "| Item<br>type | Owner |\n|---|---|\n| Alpha | Ana |",  # HTML in a header
        "| Tool | Owner | Cost | Seats | Region | Tier |\n|---|---|---|---|---|---|\n| A | Ana | 5 | 3 | EU | Gold |",
    ],
    ids=["steps", "dates", "adjective-headers", "clause-header", "ragged", "no-delimiter", "html-header", "too-wide"],
)
def test_other_shapes_yield_nothing(table):
    text = f"# Handbook\n\n## Reference\n\n{table}\n"
    assert run(text)[0].height == 0


def test_no_prompt_carries_markup():
    text = LEAVE.replace("| Sick leave |", "| `sick` leave |").replace("| Accrual |", "| **Accrual** |")
    kept, _ = run(text)
    questions = [question for _, question, _ in pairs(kept)]
    assert questions and not any(ch in question for question in questions for ch in "*`[]<>")
    assert "What are the accrual and carry-over of annual leave?" in questions


def test_html_and_template_values_are_dropped_from_answers():
    text = LEAVE.replace("| 2.5 days per month |", "| 2.5 days<br>per month |")
    kept, _ = run(text)
    assert pairs(kept)[0] == (
        "table_cell",
        "What is the carry-over of annual leave?",
        "Up to 5 days into the next year",
    )


COURSES = """# Onboarding

## Courses for new staff

| Course | Description | Format | Guidance |
|---|---|---|---|
| Travel 101 | How to book travel and claim expenses. | Self-guided | Required |
| Intro to Agreements | An overview of the Agreements team. | Video call | Recommended |
| Using the expense tool | Where each receipt goes. | Self-guided | Optional |

| Benefit | Link |
|---|---|
| Pension | <https://pensions.example.org> |
| Health cover | https://health.example.org |
"""


def test_a_card_of_fields_is_not_asked_what_it_is():
    """A row of fields (description, format, guidance) answers no "What is X?": graded blind on a real handbook,
    course cards like these were mostly dropped. "Using the expense tool" is an action; bare links answer nothing."""
    assert pairs(run(COURSES)[0]) == []


def test_a_one_word_common_label_is_asked_about_within_its_page():
    text = """# Research handbook

## Getting research clearance

### Process overview

| Phase | Timeline | Steps |
|---|---|---|
| Review | 1-2 business days | The clearance desk reviews the package and tells you its decision. |
| Fast-track pilot | Up to 7 days | Send the package early for comments. |
"""
    assert [question for _, question, _ in pairs(run(text)[0])] == [
        "What are the timeline and steps for the Review phase when getting research clearance?",
        "What are the timeline and steps for the fast-track pilot phase?",
    ]


ERROR_CODES = """# Battery troubleshooting

## Error codes

| Code | Meaning | What to do |
|---|---|---|
| B201 | Cell too hot | Check the 20 cm gap around the unit is clear; book a visit if it lasts a day. |
| B202 | Charging paused in the cold | Nothing: charging resumes above 0 °C. |
"""

SPEC_SHEET = """# Storage units

## Compared

| Specification | Store 8 | Store 12 |
|---|---|---|
| Usable capacity | 8 kWh | 12 kWh |
| Weight | 96 kg | 131 kg |
| Wall mounting | No | Yes |
"""

CHECKLIST = """# Installer checklist

## Commissioning values

| Check | Value | Note |
|---|---|---|
| System pressure when cold | 1.4 bar | Keep it between 1.0 and 2.0 bar |
| Minimum flow rate (HP-9) | 18 litres per minute | 11 for the smaller unit |
"""

PLANS = """# Service plans

## Plan levels

| Plan | Monthly price | Visits | Repairs | Response time | With active cover |
|---|---|---|---|---|---|
| Basic cover | €11 | One a year | Parts only | 5 working days | 7 years |
"""


def test_an_error_code_table_asks_what_each_code_means_and_what_to_do():
    kept, _ = run(ERROR_CODES)
    assert pairs(kept)[0] == (
        "table_entry",
        "What does error code B201 mean, and what should be done?",
        "- **Meaning**: Cell too hot\n"
        "- **What to do**: Check the 20 cm gap around the unit is clear; book a visit if it lasts a day.",
    )
    assert len(pairs(kept)) == 2


def test_a_specification_sheet_gives_one_example_per_product_column():
    kept, _ = run(SPEC_SHEET)
    assert pairs(kept) == [
        ("table_entry", "What are the specifications of Store 8?", "- **Usable capacity**: 8 kWh\n- **Weight**: 96 kg"),
        (
            "table_entry",
            "What are the specifications of Store 12?",
            "- **Usable capacity**: 12 kWh\n- **Weight**: 131 kg",
        ),
    ]  # "Wall mounting: No / Yes" are flags, not answers


def test_a_value_column_makes_the_label_the_thing_asked_for():
    kept, _ = run(CHECKLIST)
    assert [question for _, question, _ in pairs(kept)] == [
        "Commissioning values: what is the system pressure when cold?",
        "Commissioning values: what is the minimum flow rate (HP-9)?",
    ]
    assert pairs(kept)[0][2] == "- **Value**: 1.4 bar\n- **Note**: Keep it between 1.0 and 2.0 bar"


def test_a_wide_row_is_asked_for_as_its_details_and_phrases_are_not_attributes():
    kept, _ = run(PLANS)
    assert pairs(kept) == [
        (
            "table_entry",
            "What are the details of the basic cover plan?",
            "- **Monthly price**: €11\n- **Visits**: One a year\n- **Repairs**: Parts only\n"
            "- **Response time**: 5 working days",
        )
    ]  # "With active cover" is a phrase, not an attribute's name


RESOURCES = """# Performance management

## Resources

| Resource | Use |
|---|---|
| Mid-Year Employee checklist | Mid-Year Employee performance management steps |
| Supervisor Step-by-Step Guide | Entering and processing performance review steps |

## Channels

| Channel | Description | Owner |
|---|---|---|
| -partner | Channels that include partners from other agencies. | TTS Outreach |
| admins- | Administrators for various tools. | Tech Ops |

## Offices

| Office | Address | Office guide |
|---|---|---|
| Leeds | 14 Wharf Street, Leeds LS2 7EQ | Office Guide |
"""


def test_rows_about_documents_prefixes_and_repeated_link_text_ask_nothing():
    kept, _ = run(RESOURCES)
    prompts = [prompt for _, prompt, _ in pairs(kept)]
    assert not any("use" in prompt.lower() for prompt in prompts)  # "What is the use of the ... resource?"
    assert not any("-partner" in prompt or "admins-" in prompt for prompt in prompts)
    assert not any("office guide" in prompt.lower() for prompt in prompts)  # the cell only repeats its column


def test_a_description_fragment_is_not_the_answer_to_what_a_row_is():
    """ "What is the Online University (OLU) site?" -> "Site where IDPs are created" was dropped as a fragment;
    a figure or a sentence still answers."""
    from pipeline.generate.table import description_fragment

    assert description_fragment("Site where IDPs are created")
    assert description_fragment("OLU course on how to develop and manage an IDP")
    assert not description_fragment("7 kW at 35 degrees flow")
    assert not description_fragment("Runs every night at two.")
    assert not description_fragment("Quarterly")
