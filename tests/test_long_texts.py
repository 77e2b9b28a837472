"""Very long texts are counted in segments cut where a tokenizer piece must begin: the count equals
tiktoken's, and a text of one long piece is counted in linear time within a token per cut."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.long_texts import count_tokens, last_cut, next_cut
from pipeline.tokens import load_encoding

ALPHABET = st.sampled_from(
    [*"abcXYZ019.,;:!?'\"-_/()[]{}<>@#\n\t\r ", "é", "中", "🙂", "\u00a0", "\u2003", "'s", "'LL"]
)
WORD = st.lists(ALPHABET, min_size=1, max_size=8).map("".join).filter(lambda word: not word[-1].isspace())


@pytest.fixture(scope="module", params=["o200k_base", "cl100k_base"])
def encoding(request):
    return load_encoding(request.param)


@settings(max_examples=300, deadline=None)
@given(words=st.lists(WORD, min_size=1, max_size=120), segment=st.integers(20, 80))
def test_segments_cut_at_a_space_after_a_non_space_add_up_to_tiktokens_count(encoding, words, segment):
    text = " ".join(words)
    assert count_tokens(encoding, text, long_text=0, segment=segment) == len(encoding.encode_ordinary(text))


def test_a_long_text_of_words_equals_tiktoken(encoding):
    text = " ".join(f"word{i % 97} ({i})," for i in range(60_000))  # about 800,000 characters
    assert count_tokens(encoding, text) == len(encoding.encode_ordinary(text))


@pytest.mark.parametrize("text", ["a" * 450_003, "Zm9v" * 120_001, " " * 300_000])
def test_one_long_piece_is_within_a_token_per_cut(encoding, text):
    exact = len(encoding.encode_ordinary(text))
    assert abs(count_tokens(encoding, text) - exact) <= len(text) // 100_000 + 1


@pytest.mark.parametrize(
    ("text", "low", "high", "cut"),
    [("ab cd", 0, 5, 2), ("ab  cd", 3, 6, -1), ("   x y", 0, 6, 4), ("abc", 0, 3, -1), (" x", 0, 2, -1)],
)
def test_next_cut_is_the_first_space_after_a_non_space(text, low, high, cut):
    assert next_cut(text, low, high) == cut


@pytest.mark.parametrize(
    ("text", "low", "high", "cut"),
    [("ab cd ef", 0, 8, 5), ("a  b   ", 0, 7, 4), ("a  bc", 0, 5, 1), ("   ", 0, 3, -1), ("x y", 2, 3, -1)],
)
def test_last_cut_is_the_last_space_after_a_non_space(text, low, high, cut):
    assert last_cut(text, low, high) == cut
