import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.sections import parse_sections, split_sections

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
