import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.blocks import split_blocks, table_cells

BODY = """Intro text here,
wrapped.

| Model | Output |
|---|---|
| HP-7 | 7 kW |

- one
- two

Q: How?
A: Like this.

**COP**: Coefficient.

Agent: Hello.
Customer: Hi, my pump is loud.
Agent: Let me check.

```
code

more
```

> quoted"""


def test_block_kinds_and_offsets():
    blocks = split_blocks(BODY)
    assert [block.kind for block in blocks] == [
        "paragraph",
        "table",
        "list",
        "qa",
        "definitions",
        "dialogue",
        "code",
        "quote",
    ]
    assert all(BODY[block.start : block.end] == block.text for block in blocks)


def test_table_cells_carry_offsets():
    table = split_blocks(BODY)[1]
    header, rows = table_cells(table)
    assert header == ["Model", "Output"]
    assert [(text, BODY[start:end]) for text, start, end in rows[0]] == [("HP-7", "HP-7"), ("7 kW", "7 kW")]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Note: this is a label.\nAnd more prose.", "paragraph"),
        ("Term one: first meaning.\nTerm two: second meaning.", "definitions"),
        ("Coach: good call.\nAgent: thanks.\nCoach: fine.", "dialogue"),
        ("1. first\n2. second", "list"),
        ("| only one row |", "paragraph"),
    ],
)
def test_classification(text, kind):
    assert split_blocks(text)[0].kind == kind


@given(st.text(alphabet=st.sampled_from(list("ab |-*:\n`>QA1.")), max_size=200))
def test_blocks_never_overlap_and_match_the_body(body):
    previous = 0
    for block in split_blocks(body):
        assert body[block.start : block.end] == block.text and block.start >= previous
        previous = block.end
        if block.kind == "table":
            for row in table_cells(block)[1]:
                assert all(body[start:end] == text for text, start, end in row)
