"""Token counts by distinct pieces equal tiktoken's `encode_ordinary` counts, text by text."""

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.pieces import UNSAFE, PieceCounter, split_pattern
from pipeline.tokens import load_encoding

ENCODINGS = ("cl100k_base", "o200k_base")
# Every character class the split patterns name: cased and uncased letters (Lu, Ll, Lt, Lm, Lo),
# combining marks, digits of several scripts, every kind of whitespace, punctuation, symbols, emoji.
ATOMS = [
    *"aZé ßǅʰ中ﾟ\u0301\u0915\u093f7٣",
    *" \t\n\r\x0b\x0c\x85\u00a0\u2003\u3000",
    *".,!?/'\"-_()<|>#@$%&*+=[]{}~`;:…–€😀",
    "'s", "'S", "'ll", "'RE", "'ve", "'d", "'m", "'t", "<|endoftext|>", "\r\n", "  ", "\n\n", "HTTPServer", "don't",
    "Hello", "world", " the", "1234567", "x²", "ﬁ",
]  # fmt: skip
texts = st.lists(st.sampled_from(ATOMS), max_size=40).map("".join)


def tiktoken_counts(encoding_name: str, values: list[str | None]) -> list[int]:
    encoding = load_encoding(encoding_name)
    return [len(encoding.encode_ordinary(text)) if text else 0 for text in values]


@pytest.mark.parametrize("encoding_name", ENCODINGS)
@settings(max_examples=300, deadline=None)
@given(values=st.lists(texts, min_size=1, max_size=30))
def test_counts_equal_tiktoken_on_generated_text(encoding_name: str, values: list[str]) -> None:
    counter = PieceCounter(load_encoding(encoding_name))
    assert counter.counts(pl.Series(values)).to_list() == tiktoken_counts(encoding_name, values)


@pytest.mark.parametrize("encoding_name", ENCODINGS)
@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.text(max_size=60), min_size=1, max_size=20))
def test_counts_equal_tiktoken_on_arbitrary_unicode(encoding_name: str, values: list[str]) -> None:
    counter = PieceCounter(load_encoding(encoding_name))
    assert counter.counts(pl.Series(values)).to_list() == tiktoken_counts(encoding_name, values)


@pytest.mark.parametrize("encoding_name", ENCODINGS)
def test_counts_equal_tiktoken_on_the_sample_corpus(encoding_name: str) -> None:
    root = Path(__file__).resolve().parent.parent / "sample_data"
    paragraphs = [
        part for path in sorted(root.rglob("*.md")) for part in path.read_text(encoding="utf-8").split("\n\n")
    ]
    values = [*paragraphs, None, "", *(path.read_text(encoding="utf-8") for path in sorted(root.rglob("*.md")))]
    counter = PieceCounter(load_encoding(encoding_name))
    assert counter.counts(pl.Series(values, dtype=pl.String)).to_list() == tiktoken_counts(encoding_name, values)


def test_the_look_ahead_cases_go_to_tiktoken_and_stay_exact() -> None:
    """Indented lines and double spaces are where the look-ahead decides the split; trailing spaces are not."""
    values = ["def f():\n    return 1", "two  spaces", "tab\t\tthen", "end   ", "\n   x", "a \u00a0b"]
    assert pl.Series(values).str.contains(UNSAFE).to_list() == [True, True, True, False, True, True]
    counter = PieceCounter(load_encoding("o200k_base"))
    assert counter.counts(pl.Series(values)).to_list() == tiktoken_counts("o200k_base", values)


def test_a_large_input_is_split_in_chunks_and_rows_keep_their_order() -> None:
    values = [f"Answer {i}: the heat pump's COP was {i % 7}.{i % 10}  today." * (1 + i % 3) for i in range(120_003)]
    counter = PieceCounter(load_encoding("o200k_base"))
    assert counter.counts(pl.Series(values)).to_list() == tiktoken_counts("o200k_base", values)


def test_the_pattern_is_the_encodings_own_minus_the_look_ahead() -> None:
    pattern = split_pattern(load_encoding("cl100k_base"))
    assert "(?!" not in pattern and "++" not in pattern and r"\p{L}+" in pattern
