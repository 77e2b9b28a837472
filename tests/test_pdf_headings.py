"""PDF headings from type size and weight, running headers and footers dropped, FAQ lines as headings.

The fixtures are committed PDFs made by tests/data/pdf/make_pdfs.py (fpdf2, a dev dependency), and the
sample corpus's sample_data/manuals/battery-owner-faq.pdf by tests/data/pdf/make_sample_manual.py, so these
tests need no PDF writer. The unit tests below build pypdf's text runs and lines by hand, to reach
cases the fixtures do not show (scaled text matrices, weights only in the font descriptor, pull quotes).
"""

import json
import re
from pathlib import Path

import pytest
from pypdf.generic import DictionaryObject, NameObject, NumberObject

from pipeline.config import IngestConfig, PrepareConfig
from pipeline.executor import execute
from pipeline.ingest import read_sources
from pipeline.ingest.pdf import Line, drop_running_lines, find_headings, is_bold, lines_from_runs, pdf_to_markdown

PDFS = Path(__file__).resolve().parent / "data" / "pdf"
FONTS = PDFS / "handbook-fonts.pdf"
PARTIAL_OUTLINE = PDFS / "handbook-partial-outline.pdf"
TREE = [
    (1, "Larkspur Logistics Employee Handbook"),
    (2, "Working Hours and Leave"),
    (3, "Core hours"),
    (3, "Annual leave"),
    (2, "Pay and Expenses"),
    (3, "Pay dates"),
    (3, "Claiming expenses"),
    (2, "Health and Safety"),
    (3, "Reporting an incident"),
    (3, "First aid"),
    (4, "First aiders on each site"),  # bold at the body size: the lowest level
    (2, "Frequently Asked Questions"),
    (3, "How do I request annual leave?"),  # bold question line
    (3, "Can I carry unused leave into next year?"),  # plain question line, set apart by space
    (3, "Who approves overtime?"),
    (3, "What should I do if I lose my badge?"),
]
FAQ = {
    "How do I request annual leave?": "Open the HR portal, choose Leave and then New request, and pick the days. "
    "Your manager approves or declines the request within five working days, and you get an e-mail either way.",
    "Can I carry unused leave into next year?": "Yes, up to five days. Carried-over days must be taken by 31 March, "
    "after which they lapse unless your manager agreed otherwise in writing.",
    "Who approves overtime?": "Your line manager approves overtime before it is worked. Overtime is paid at time "
    "and a half, or taken as time off in lieu within three months.",
    "What should I do if I lose my badge?": "Tell reception straight away so the badge can be blocked. A "
    "replacement costs 10 EUR and is ready on the next working day.",
}


def headings(text: str) -> list[tuple[int, str]]:
    return [(len(marks), title) for marks, title in re.findall(r"^(#+) (.+)$", text, re.MULTILINE)]


def test_type_sizes_give_the_heading_tree_without_an_outline():
    document = read_sources([FONTS], IngestConfig()).documents.row(0, named=True)
    assert headings(document["text"]) == TREE
    assert document["title"] == "Larkspur Logistics Employee Handbook"


def test_running_headers_and_page_numbers_are_dropped():
    text, _ = pdf_to_markdown(FONTS.read_bytes())
    assert "Larkspur Logistics - Employee Handbook" not in text
    assert not re.search(r"Page \d", text)
    assert text.count("Larkspur Logistics Employee Handbook") == 1


def test_paragraphs_lists_and_hyphenation_are_reflowed_as_before():
    text, _ = pdf_to_markdown(FONTS.read_bytes())
    assert "by the finance team; reimbursement follows with the next salary payment." in text
    assert "\n\n- Book leave in the HR portal.\n- Give at least two weeks of notice.\n" in text
    assert "proportion to their hours.\n\n- Book" in text
    assert "\n\nThe leave year runs from 1 January to 31 December.\n\n## Pay and Expenses\n" in text


def test_type_headings_complete_a_partial_outline():
    """The outline has the title and the sections; the subsections and questions come from the type."""
    text, _ = pdf_to_markdown(PARTIAL_OUTLINE.read_bytes())
    assert headings(text) == TREE


def test_faq_pdf_gives_one_example_per_question(tmp_path):
    execute(PrepareConfig(sources=[str(FONTS)], out=str(tmp_path / "run")))
    examples = [
        json.loads(line)["messages"]
        for split in ("train", "validation")
        for line in (tmp_path / "run" / f"{split}.jsonl").read_text().splitlines()
    ]
    for question, answer in FAQ.items():
        asked = [messages for messages in examples if messages[0]["content"] == question]
        assert len(asked) == 1, question
        assert [turn["role"] for turn in asked[0]] == ["user", "assistant"]
        assert asked[0][1]["content"] == answer


def test_outline_pdf_is_unchanged_by_type_headings():
    """The sample manual's outline covers every heading; its bold `Q:` lines stay Q/A pairs."""
    text, title = pdf_to_markdown(
        (Path(__file__).resolve().parents[1] / "sample_data/manuals/hub-quick-start.pdf").read_bytes()
    )
    assert title == "Brightwater Hub Quick-Start Guide"
    assert headings(text) == [
        (1, "Brightwater Hub Quick-Start Guide"),
        (2, "What is in the box"),
        (2, "Setting up your Hub"),
        (2, "What the status light means"),
        (2, "Resetting the Hub"),
        (2, "Troubleshooting"),
        (2, "Does the Hub work without the internet?"),
    ]
    assert "\n\nQ: The app shows E402 but my Wi-Fi works. Why?\nA: E402 means" in text


OWNER_FAQ = Path(__file__).resolve().parents[1] / "sample_data" / "manuals" / "battery-owner-faq.pdf"
OWNER_HEADINGS = [
    "Everyday charging",
    "Looking after your Cell",
    "The backup reserve in a power cut",
    "What to do when something looks wrong",
]
OWNER_SECTIONS = {  # made by tests/data/pdf/make_sample_manual.py: the question a heading becomes -> its body's start
    "What do I need to know about everyday charging when living with my Brightwater Cell?": "On a sunny day the "
    "Cell stores the solar power",
    "How do I look after my Cell?": "The Cell needs no routine maintenance.",
    "Can you tell me about the backup reserve in a power cut?": "Without a Backup Gateway the Cell switches itself off",
    "What should I do when something looks wrong?": "If the status light flashes amber",
}
OWNER_QUESTIONS = {
    "Why is the charge lower in the morning than at bedtime?": "The Cell keeps running your home through the "
    "night until it reaches the backup reserve. A lower reading at breakfast is normal and does not mean the "
    "battery is losing capacity.",
    "Can I change the backup reserve myself?": "Yes. Open Battery settings in the app and set the reserve in "
    "steps of 5 percent; the Hub applies the change within a few minutes.",
    "Can I return a spare Hub I bought online and never opened?": "Yes, within 30 days.",  # short, and kept
    "What does code E206 mean in the app?": "The battery needs to recalibrate its state-of-charge estimate. It "
    "runs one full charge and discharge cycle by itself within seven days, and you do not need to do anything.",
    "Does the battery keep working when my internet is down?": "Yes. The Hub carries on in local mode with the "
    "battery rules and tariff prices it already has, and the app fills in the missing history once the "
    "connection returns.",
}


def test_sample_owner_faq_has_headings_from_type_alone():
    """The sample corpus's PDF without an outline: title, sections and questions all come from the type."""
    text, title = pdf_to_markdown(OWNER_FAQ.read_bytes())
    assert title == "Living with your Brightwater Cell"
    assert headings(text) == [
        (1, "Living with your Brightwater Cell"),
        *((2, section) for section in OWNER_HEADINGS),
        (2, "Frequently asked questions"),
        *((3, question) for question in OWNER_QUESTIONS),
    ]
    assert "Battery owner FAQ" not in text and "Page 1" not in text  # running header and footer


def test_sample_owner_faq_gives_one_example_per_question_and_per_section(tmp_path):
    execute(PrepareConfig(sources=[str(OWNER_FAQ)], out=str(tmp_path / "run")))
    examples = [
        json.loads(line)["messages"]
        for split in ("train", "validation")
        for line in (tmp_path / "run" / f"{split}.jsonl").read_text().splitlines()
    ]
    for question, answer in OWNER_QUESTIONS.items():
        asked = [messages for messages in examples if messages[0]["content"] == question]
        assert len(asked) == 1, question
        assert asked[0][1]["content"] == answer
    for question, body in OWNER_SECTIONS.items():
        asked = [messages for messages in examples if messages[0]["content"] == question]
        assert len(asked) == 1, question
        assert asked[0][1]["content"].startswith(body)
    assert len(examples) == len(OWNER_QUESTIONS) + len(OWNER_SECTIONS)


# Runs and lines built by hand.

IDENTITY = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]


def font(name: str, weight: int | None = None) -> DictionaryObject:
    font = DictionaryObject({NameObject("/BaseFont"): NameObject(name)})
    if weight is not None:
        descriptor = DictionaryObject({NameObject("/FontWeight"): NumberObject(weight)})
        font[NameObject("/FontDescriptor")] = descriptor
    return font


def test_sizes_come_from_the_text_matrix_and_weight_from_the_descriptor():
    """Text set with `1 Tf` and scaled by Tm (as many generators do) has the scaled size."""
    runs = [
        ("Overview", IDENTITY, [18.0, 0.0, 0.0, 18.0, 72.0, 700.0], font("/F1", 700), 1.0),
        ("\n", IDENTITY, IDENTITY, None, 1.0),
        (
            "Body text in a regular face.",
            [2.0, 0.0, 0.0, 2.0, 0.0, 0.0],
            [1.0, 0.0, 0.0, 1.0, 36.0, 340.0],
            font("/ABCDEF+Arial-BoldMT"),
            5.5,
        ),
        ("\n", IDENTITY, IDENTITY, None, 1.0),
        ("Mostly plain ", IDENTITY, [1, 0, 0, 1, 72, 660], font("/Times-Roman"), 11),
        ("bold", IDENTITY, [1, 0, 0, 1, 140, 660], font("/Times-Bold"), 11),
    ]
    overview, body, mixed = lines_from_runs(runs, 0, {})
    assert (overview.text, overview.size, overview.bold, overview.y) == ("Overview", 18.0, True, 700.0)
    assert (body.size, body.bold, body.y) == (11.0, True, 680.0)
    assert (mixed.text, mixed.size, mixed.bold) == ("Mostly plain bold", 11.0, False)


@pytest.mark.parametrize(
    ("name", "bold"),
    [
        ("/ABCDEF+Calibri-Bold", True),
        ("/Arial,BoldItalic", True),
        ("/OpenSans-Semibold", True),
        ("/Roboto-Black", True),
        ("/FuturaBT-Bd", True),
        ("/CMBX12", True),
        ("/Helvetica", False),
        ("/CMR10", False),
        ("/Times-Italic", False),
    ],
)
def test_bold_by_font_name(name, bold):
    assert is_bold(font(name), {}) is bold


def test_lines_repeated_at_one_height_on_most_pages_are_dropped():
    pages = [
        [
            Line("ACME Manual", 9, y=800, page=n),
            Line(f"Chapter {n + 1}", 16, y=760, page=n),  # large: a heading, not a running title
            Line(f"Body text {'abcd'[n]}.", 11, y=700, page=n),
            Line(f"- {n + 1} -", 9, y=30, page=n),
        ]
        for n in range(4)
    ]
    pages[2].append(Line("Only here", 9, y=30, page=2))
    kept = [line.text for line in drop_running_lines(pages)]
    assert kept == [
        *("Chapter 1", "Body text a."),
        *("Chapter 2", "Body text b."),
        *("Chapter 3", "Body text c.", "Only here"),
        *("Chapter 4", "Body text d."),
    ]
    single = [[Line("ACME Manual", 9, y=800), Line("Body.", 11, y=700)]]
    assert [line.text for line in drop_running_lines(single)] == ["ACME Manual", "Body."]


def body_lines(texts: list[str], top: float = 700, pitch: float = 14, size: float = 11, **kwargs) -> list[Line]:
    return [Line(text, size, y=top - pitch * index, **kwargs) for index, text in enumerate(texts)]


def test_a_question_inside_a_paragraph_is_not_a_heading():
    lines = body_lines(
        [
            "The pump stops at night, and this is normal for the heat pump in the winter months.",
            "Why does it do that?",
            "Because the defrost cycle needs the compressor to rest for a while.",
        ]
    )
    assert not any(line.level for line in find_headings(lines, []))
    spaced = body_lines(["The pump stops at night, and this is normal for the heat pump in winter."])
    spaced += body_lines(["Why does it do that?", "Because the defrost cycle needs a rest."], top=670)
    assert [(line.level, line.kind) for line in find_headings(spaced, [])] == [(0, ""), (3, "question"), (0, "")]


def test_large_text_running_over_lines_is_prose_and_a_wrapped_heading_is_joined():
    pull_quote = body_lines(
        ["Safety is not a slogan, it is the way", "we work at every depot, every shift", "and every day of the year"],
        size=16,
        pitch=20,
    )
    wrapped = body_lines(["Working Hours, Leave and", "Flexible Arrangements"], top=600, size=16, pitch=20, bold=True)
    body = body_lines(["Text at the body size, which is the most common size in the document by far."] * 4, top=500)
    found = find_headings(pull_quote + wrapped + body, [])
    assert [line.text for line in found if line.level] == ["Working Hours, Leave and Flexible Arrangements"]


def test_levels_are_capped_at_four_with_bold_body_lowest():
    sizes = [30, 26, 22, 18, 14]
    lines = [Line(f"Heading at {size} pt", size, True, 700 - 40 * n) for n, size in enumerate(sizes)]
    lines.append(Line("A bold line at body size", 11, True, 400))
    lines += body_lines(["Plain body text that sets the body size of this little document."] * 6, top=380)
    levels = [line.level for line in find_headings(lines, []) if line.level]
    assert levels == [1, 2, 3, 4, 4, 4]


def test_bold_body_text_makes_no_bold_headings():
    lines = body_lines(["Short bold line", "Another bold body line that is a sentence."] * 3, bold=True)
    assert not any(line.level for line in find_headings(lines, []))


@pytest.mark.parametrize("text", ["NOTE", "Q: Can I pay by card?", "Tip: read this first", "- Bold bullet item", "12"])
def test_bold_labels_and_items_are_not_headings(text):
    lines = [Line(text, 11, True, 700), *body_lines(["Plain body text that follows the bold line here."] * 3, top=686)]
    assert find_headings(lines, [])[0].level == 0
