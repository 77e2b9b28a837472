"""Writes sample_data/manuals/battery-owner-faq.pdf: a Brightwater Cell owner's guide with no outline.

Headings are told only by type: a 22 pt bold title, four 16 pt bold sections over 11 pt body text, and a
FAQ whose five questions are plain body-size lines, each set apart by space and followed by its answer
(one deliberately short: "Yes, within 30 days."). Five, because generate.max_share_per_kind lets five
examples of a kind through whatever the document's mix. Every page has a running header and a "Page N of M" footer. It is the sample
corpus's case of pipeline/ingest/pdf.py reading headings and FAQ pairs from type alone; the facts agree
with sample_data/products/brightwater-cell.md and sample_data/handbook/battery-troubleshooting.md.

The PDF is committed, so runs and tests need no PDF writer; this script (fpdf2, a dev dependency) is how
it was made and how to change it. The creation date is fixed, so a rerun writes the same bytes:

    python tests/data/pdf/make_sample_manual.py
"""

from pathlib import Path

from fpdf import FPDF
from make_pdfs import FIXED, heading, paragraph

OUT = Path(__file__).resolve().parents[3] / "sample_data" / "manuals" / "battery-owner-faq.pdf"

TITLE = "Living with your Brightwater Cell"
INTRO = (
    "This guide answers the questions Brightwater Cell owners ask most often in the first months after "
    "installation. It covers the Cell 10 and the Cell 15, everyday use, power cuts and what to do when "
    "something seems wrong. Your installation pack and the warranty policy take precedence where they differ."
)
SECTIONS = [
    (
        "Everyday charging",
        [
            "On a sunny day the Cell stores the solar power your home does not use straight away, then runs the "
            "home in the evening until it reaches the backup reserve. The Brightwater Hub decides when the "
            "battery charges and discharges, and the app shows each of these decisions as it happens.",
            "On the Brightwater Flex tariff the Hub holds energy back for the peak hours from 17:00 to 20:00, "
            "when grid electricity is dearest. When tomorrow's solar forecast is weak, Smart Charge may fill "
            "the battery overnight at the off-peak price; switch it off under Battery settings if you want "
            "the Cell to store solar energy only.",
        ],
    ),
    (
        "Looking after your Cell",
        [
            "The Cell needs no routine maintenance. Keep the 200 mm gap above and beside the unit free, do not "
            "lean boxes, bicycles or garden furniture against it, and wipe the casing with a dry or slightly "
            "damp cloth when it gets dusty. Never open the cover: nothing inside can be serviced by an owner.",
            "Firmware updates reach the battery through the Hub and are installed overnight, between 02:00 "
            "and 04:00. If you have a CarePlan, the engineer also checks the ventilation gap and runs a remote "
            "capacity test at the yearly service.",
        ],
    ),
    (
        "The backup reserve in a power cut",
        [
            "Without a Backup Gateway the Cell switches itself off in a power cut, as the grid code requires, "
            "and starts again on its own once the grid is back. With the gateway, the circuits chosen at "
            "installation, usually lights, the fridge, the router and the heating controls, move to battery "
            "power in about 200 milliseconds. The heat pump compressor cannot run from the battery in backup mode.",
            "The backup reserve is the charge kept back for those moments, 10 percent unless you change it. A "
            "higher reserve means longer backup but less stored energy for the evening, so owners without a "
            "gateway gain nothing by raising it.",
        ],
    ),
    (
        "What to do when something looks wrong",
        [
            "If the status light flashes amber, the battery has a warning for you, and the app shows the error "
            "code and what it means. A steady red light means the battery has disconnected itself; call us on 0800 555 0199 with the "
            "serial number from the label on the side of the unit.",
            "If you notice smoke, a burning or sweet chemical smell, hissing, a bulging case or leaking liquid, "
            "do not touch the battery. Leave the room, close the door and keep everyone away, call the fire "
            "service if there is smoke or flame, then ring the battery safety line on 0800 555 0911 at any hour.",
        ],
    ),
]
FAQ_TITLE = "Frequently asked questions"
FAQ_INTRO = "Short answers to the questions owners send us most often in their first year."
FAQ = [
    (
        "Why is the charge lower in the morning than at bedtime?",
        "The Cell keeps running your home through the night until it reaches the backup reserve. A lower "
        "reading at breakfast is normal and does not mean the battery is losing capacity.",
    ),
    (
        "Can I change the backup reserve myself?",
        "Yes. Open Battery settings in the app and set the reserve in steps of 5 percent; the Hub applies the "
        "change within a few minutes.",
    ),
    (
        "Can I return a spare Hub I bought online and never opened?",
        "Yes, within 30 days.",
    ),
    (
        "What does code E206 mean in the app?",
        "The battery needs to recalibrate its state-of-charge estimate. It runs one full charge and discharge "
        "cycle by itself within seven days, and you do not need to do anything.",
    ),
    (
        "Does the battery keep working when my internet is down?",
        "Yes. The Hub carries on in local mode with the battery rules and tariff prices it already has, and "
        "the app fills in the missing history once the connection returns.",
    ),
]


class OwnerGuide(FPDF):
    """A4 pages with a running header and a page-number footer in 9 pt type."""

    def header(self):
        self.set_font("Helvetica", "I", 9)
        self.cell(0, 6, "Brightwater Energy - Battery owner FAQ", align="R", new_x="LMARGIN", new_y="NEXT")
        self.ln(4)

    def footer(self):
        self.set_y(-15)
        self.set_font("Helvetica", "", 9)
        self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="C")


def write_guide(path: Path) -> None:
    pdf = OwnerGuide(format="A4")
    pdf.set_creation_date(FIXED)
    pdf.set_title(TITLE)
    pdf.set_author("Brightwater Energy")
    pdf.set_auto_page_break(True, margin=22)
    pdf.set_margins(20, 15, 20)
    pdf.add_page()
    heading(pdf, TITLE, 22)
    paragraph(pdf, INTRO)
    for section, paragraphs in SECTIONS:
        heading(pdf, section, 16)
        for text in paragraphs:
            paragraph(pdf, text)
    pdf.add_page()
    heading(pdf, FAQ_TITLE, 16)
    paragraph(pdf, FAQ_INTRO)
    for question, answer in FAQ:
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 6, question, new_x="LMARGIN", new_y="NEXT")
        paragraph(pdf, answer)
    pdf.output(str(path))


if __name__ == "__main__":
    write_guide(OUT)
