import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.sections import ATX, FENCE, NOT_A_SETEXT_TITLE, SETEXT, find_headings, parse_sections, split_sections

DOC = """# Guide

Intro text.

## Install
Step one.

```
# not a heading
```

Setext title
------------

Under setext.

### Deeper?
Answer.
"""


def test_heading_tree_and_offsets():
    sections = list(parse_sections(DOC))
    assert [(s["section"], s["heading"], s["level"]) for s in sections] == [
        ("Guide", "Guide", 1),
        ("Guide > Install", "Install", 2),
        ("Guide > Setext title", "Setext title", 2),
        ("Guide > Setext title > Deeper?", "Deeper?", 3),
    ]
    for section in sections:
        assert DOC[section["body_start"] : section["body_end"]] == section["body"]
    assert "# not a heading" in sections[1]["body"]


@pytest.mark.parametrize(
    ("text", "headings"),
    [
        ("no headings at all", [""]),
        ("- item\n---\n", [""]),  # a list item over a rule is not a setext heading
        ("| a | b |\n|---|---|\n| 1 | 2 |", [""]),
        ("#NoSpace\n\ntext", [""]),
        ("## A\n## B\nbody", ["B"]),  # empty sections are dropped
    ],
)
def test_heading_edge_cases(text, headings):
    assert [s["heading"] for s in parse_sections(text)] == headings


def test_split_sections_frame():
    documents = pl.DataFrame({"doc_id": ["d"], "source": ["s.md"], "format": ["md"], "title": ["Guide"], "text": [DOC]})
    sections = split_sections(documents)
    assert sections.height == 4 and sections["title"].unique().to_list() == ["Guide"]


@given(st.text(alphabet=st.sampled_from(list("#=-`~ \nabc?Q:A")), max_size=300))
def test_bodies_are_exact_spans_that_never_overlap(text):
    previous_end = 0
    for section in parse_sections(text):
        assert text[section["body_start"] : section["body_end"]] == section["body"]
        assert section["body_start"] >= previous_end
        previous_end = section["body_end"]


def headings_line_by_line(text: str) -> list[tuple[int, int, int, str]]:
    """What find_headings finds when every pattern is tried on every line (its reading before the markers were
    looked for first): the reference."""
    lines = text.split("\n")
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    found, in_fence = [], None
    for index, line in enumerate(lines):
        fence = FENCE.match(line)
        if fence:
            marker = fence.group(1)[0] * 3
            in_fence = None if in_fence == marker else (in_fence or marker)
            continue
        if in_fence:
            continue
        atx = ATX.match(line)
        if atx:
            found.append((starts[index], starts[index] + len(line), len(atx.group(1)), atx.group(2).strip()))
            continue
        if index + 1 < len(lines) and line.strip() and not NOT_A_SETEXT_TITLE.match(line):
            underline = SETEXT.match(lines[index + 1])
            if underline:
                level = 1 if underline.group(1).startswith("=") else 2
                found.append((starts[index], starts[index + 1] + len(lines[index + 1]), level, line.strip()))
    return found


MARKDOWNISH = st.lists(
    st.sampled_from(["#", "## ", " ", "   ", "\t", "=", "==", "---", "-", "```", "~~~", "`", "~", "\n", "\n\n", "a",
                     "Title", "- x", "> q", "1. y", "1.", "2)", "+", "|", "\r", "\x0c", "\xa0", "\x85", "é", "\u2028"]),
    max_size=60,
).map("".join)  # fmt: skip


@settings(max_examples=500)
@given(MARKDOWNISH)
def test_find_headings_finds_what_every_pattern_on_every_line_finds(text):
    assert list(find_headings(text)) == headings_line_by_line(text)


@pytest.mark.parametrize(
    "text",
    ["Title\n===\n---", "===\n===\n", "a\n---", "```\nx\n---\n```\nT\n===", "T\n===", "\n---\n", "# A #\n  ## B\n    # c",
     "~~~\n```\n~~~\n# H", "x\n   ---   \n", "   ```\n# in\n   ```", "x\n    ---", "    # four spaces",
     "   \n===", "1.\n===", "1. x\n===", "2)\ty\n---", "\xa0\n---", "- a\n---", "> q\n==="],
)  # fmt: skip
def test_find_headings_edge_cases(text):
    assert list(find_headings(text)) == headings_line_by_line(text)
