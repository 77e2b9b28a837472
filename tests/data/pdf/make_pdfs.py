"""Writes the PDF fixtures of tests/test_pdf_headings.py: an invented employee handbook whose headings
are told only by font size and weight.

The committed PDFs are what the tests read, so the tests do not need a PDF writer; this script (fpdf2,
a dev dependency) is how they were made and how to change them. Run from the repository root:

    python tests/data/pdf/make_pdfs.py                 # rewrites the fixtures beside this script
    python tests/data/pdf/make_pdfs.py --pages 50 OUT  # a long handbook for timing the reader

handbook-fonts.pdf has no outline: a 22 pt bold title, four 16 pt bold sections, 13 pt bold subsections,
one bold heading at the body size (11 pt) and a FAQ whose questions are body-size lines, two bold and two
not, each followed by its answer paragraph. Every page has a running header and a "Page N of M" footer.
handbook-partial-outline.pdf is the same document with bookmarks for the title and the sections only.
"""

import sys
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

HERE = Path(__file__).resolve().parent
FIXED = datetime(2026, 1, 1, tzinfo=UTC)  # the same bytes on every run

TITLE = "Larkspur Logistics Employee Handbook"
INTRO = (
    "This handbook explains how we work at Larkspur Logistics: working hours, leave, pay, expenses and "
    "safety at our depots. It applies to every employee on a permanent or fixed-term contract. Your "
    "contract and the collective agreement take precedence where they say something different."
)
# (section, [(subsection, [paragraph or ("list", items) or ("bold", heading) or ("lines", lines)])])
SECTIONS = [
    (
        "Working Hours and Leave",
        [
            (
                "Core hours",
                [
                    "Office staff work 37.5 hours a week. Core hours are 10:00 to 15:00 from Monday to Friday; "
                    "outside them you may start and finish when it suits you, as long as your team is covered. "
                    "Depot shifts are planned four weeks ahead by the shift manager.",
                ],
            ),
            (
                "Annual leave",
                [
                    "Every full-time employee has 28 days of annual leave a year, plus public holidays. "
                    "Part-time employees have the same entitlement in proportion to their hours.",
                    (
                        "list",
                        [
                            "- Book leave in the HR portal.",
                            "- Give at least two weeks of notice.",
                            "- Agree peak-season leave with your manager first.",
                        ],
                    ),
                    "The leave year runs from 1 January to 31 December.",
                ],
            ),
        ],
    ),
    (
        "Pay and Expenses",
        [
            (
                "Pay dates",
                [
                    "Salaries are paid on the 25th of each month, or on the last working day before it when the "
                    "25th falls on a weekend. Payslips are published in the HR portal two days earlier.",
                ],
            ),
            (
                "Claiming expenses",
                [
                    (
                        "lines",
                        [
                            "Submit expense claims in the finance app within 60 days, with a photo of every",
                            "receipt. Claims are checked by your manager and by the finance team; reim-",
                            "bursement follows with the next salary payment. Mileage is paid at 0.30 EUR",
                            "per kilometre for business journeys in your own car.",
                        ],
                    ),
                ],
            ),
        ],
    ),
    (
        "Health and Safety",
        [
            (
                "Reporting an incident",
                [
                    "Report every accident, near miss or unsafe condition to your supervisor on the same day and "
                    "record it in the safety log. Nobody is ever blamed for reporting a near miss.",
                ],
            ),
            (
                "First aid",
                [
                    "First aid kits hang next to every fire exit and in each vehicle. The kits are checked on the "
                    "first Monday of every month by the site safety officer.",
                    ("bold", "First aiders on each site"),
                    "Each depot has at least two trained first aiders on every shift; their names are on the "
                    "notice board at the entrance.",
                ],
            ),
        ],
    ),
]
FAQ_TITLE = "Frequently Asked Questions"
FAQ = [
    (
        "How do I request annual leave?",
        True,
        "Open the HR portal, choose Leave and then New request, and pick the days. Your manager approves or "
        "declines the request within five working days, and you get an e-mail either way.",
    ),
    (
        "Can I carry unused leave into next year?",
        False,
        "Yes, up to five days. Carried-over days must be taken by 31 March, after which they lapse unless your "
        "manager agreed otherwise in writing.",
    ),
    (
        "Who approves overtime?",
        False,
        "Your line manager approves overtime before it is worked. Overtime is paid at time and a half, or taken "
        "as time off in lieu within three months.",
    ),
    (
        "What should I do if I lose my badge?",
        True,
        "Tell reception straight away so the badge can be blocked. A replacement costs 10 EUR and is ready on "
        "the next working day.",
    ),
]


class Handbook(FPDF):
    """A4 pages with a running header and a page-number footer in 9 pt type."""

    def header(self):
        self.set_font("Helvetica", "I", 9)
        self.cell(0, 6, "Larkspur Logistics - Employee Handbook", align="R", new_x="LMARGIN", new_y="NEXT")
        self.ln(4)

    def footer(self):
        self.set_y(-15)
        self.set_font("Helvetica", "", 9)
        self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="C")


def write_handbook(path: Path, outline: bool = False, repeat: int = 1) -> None:
    pdf = Handbook(format="A4")
    pdf.set_creation_date(FIXED)
    pdf.set_auto_page_break(True, margin=22)
    pdf.set_margins(20, 15, 20)
    pdf.add_page()
    heading(pdf, TITLE, 22, 1 if outline else None)
    paragraph(pdf, INTRO)
    for round_ in range(repeat):
        for number, (section, subsections) in enumerate(SECTIONS):
            if number == 1 or (repeat > 1 and number == 0 and round_):
                pdf.add_page()
            suffix = f" (part {round_ + 1})" if repeat > 1 else ""
            heading(pdf, section + suffix, 16, 2 if outline else None)
            for subsection, blocks in subsections:
                heading(pdf, subsection, 13)
                for block in blocks:
                    write_block(pdf, block)
    pdf.add_page()
    heading(pdf, FAQ_TITLE, 16, 2 if outline else None)
    for question, bold, answer in FAQ:
        pdf.set_font("Helvetica", "B" if bold else "", 11)
        pdf.multi_cell(0, 6, question, new_x="LMARGIN", new_y="NEXT")
        paragraph(pdf, answer)
    pdf.output(str(path))


def heading(pdf: FPDF, text: str, size: int, outline_level: int | None = None) -> None:
    pdf.ln(3)
    if outline_level is not None:
        pdf.start_section(text, level=outline_level - 1)
    pdf.set_font("Helvetica", "B", size)
    pdf.multi_cell(0, size * 0.55, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def paragraph(pdf: FPDF, text: str) -> None:
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def write_block(pdf: FPDF, block) -> None:
    if isinstance(block, str):
        paragraph(pdf, block)
        return
    kind, content = block
    if kind == "bold":
        pdf.set_font("Helvetica", "B", 11)
        pdf.multi_cell(0, 6, content, new_x="LMARGIN", new_y="NEXT")
        return
    pdf.set_font("Helvetica", "", 11)
    for line in content:  # list items, or lines broken by hand (to hyphenate a word across two lines)
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--pages":
        pages, out = int(sys.argv[2]), Path(sys.argv[3])
        write_handbook(out, repeat=max(1, (pages - 1) // 2))
    else:
        write_handbook(HERE / "handbook-fonts.pdf")
        write_handbook(HERE / "handbook-partial-outline.pdf", outline=True)
