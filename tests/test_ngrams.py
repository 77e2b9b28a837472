"""Word n-gram hashes and the partitioned store: spilled to files or held in memory, the answers agree."""

import re

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.report import distinct
from pipeline.similarity import ngrams
from pipeline.similarity.ngrams import gram_hashes, shared_with
from pipeline.similarity.normal import words
from pipeline.split import joined_groups

WORDS = "heat pump battery warranty hub app tariff export solar panel install the a of".split()


def python_grams(text: str, n: int) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join), min_size=1, max_size=20))
def test_each_text_has_one_hash_per_distinct_n_gram(texts):
    found = gram_hashes(pl.Series(texts), n=5, first_row=7).group_by("row").len()
    counts = dict(found.iter_rows())
    assert {row - 7: count for row, count in counts.items()} == {
        row: len(grams) for row, text in enumerate(texts) if (grams := python_grams(text, 5))
    }


UNICODE_PIECES = [
    " ",
    "\n",
    "\t",
    "\xa0",
    "\u2028",
    "-",
    "’",
    "_",
    ".",
    "é",
    "\u0301",
    "İ",
    "ß",
    "٣",
    "中文",
    "😀",
    "\u200d",
]
unicode_texts = st.lists(st.one_of(st.sampled_from(UNICODE_PIECES + WORDS), st.text(max_size=4)), max_size=40).map(
    " ".join
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), unicode_texts), max_size=12))
def test_words_are_the_word_runs_of_the_lower_case(texts):
    frame = pl.DataFrame({"text": texts}, schema={"text": pl.String})
    ours = frame.select(words(pl.col("text")))["text"].to_list()
    runs = frame.select(pl.col("text").str.to_lowercase().str.extract_all(r"\w+"))["text"].to_list()
    assert [found or [] for found in ours] == [found or [] for found in runs]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), unicode_texts), min_size=1, max_size=12), st.integers(1, 4))
def test_gram_hashes_are_every_distinct_pair_of_the_regex_words(texts, n):
    """The n-grams of the words the regex finds in the lower case (the definition before words() split the
    normal form), each (row, gram) once, repeated n-grams inside one text included."""
    texts = [*texts, " ".join(["solar panel install"] * 6)]  # a text holding one n-gram several times
    series = pl.Series(texts, dtype=pl.String)
    found = gram_hashes(series, n=n, first_row=3)
    words_of = pl.DataFrame({"text": series}).with_row_index("row", offset=3)
    regex_words = words_of.select("row", word=pl.col("text").str.to_lowercase().str.extract_all(r"\w+"))
    exploded = regex_words.explode("word").drop_nulls("word")
    gram, owner = ngrams.rolling_grams(exploded["word"].hash(ngrams.NGRAM).to_numpy(), exploded["row"].to_numpy(), n)
    expected = pl.DataFrame({"row": owner, "gram": gram}, schema=ngrams.GRAMS).unique()
    assert found.height == found.unique().height
    assert found.sort("row", "gram").equals(expected.sort("row", "gram"))


def corpus(size: int, seed: int) -> list[str]:
    import random

    rng = random.Random(seed)
    passages = [" ".join(rng.choice(WORDS) for _ in range(30)) for _ in range(size // 3 + 1)]
    return [
        f"{rng.choice(passages)} {' '.join(rng.choice(WORDS) for _ in range(rng.randint(0, 20)))}" for _ in range(size)
    ]


def test_spilled_partitions_give_the_same_overlap(monkeypatch):
    texts = corpus(300, 1)
    held = pl.DataFrame({"id": [f"h{i}" for i in range(100)], "text": texts[:100]})
    train = pl.DataFrame({"id": [f"t{i}" for i in range(200)], "text": texts[100:]})
    in_memory = shared_with(held, train, pl.col("text"))
    monkeypatch.setattr(ngrams, "PARTITION_ROWS", 40)  # 8 partitions, in files
    monkeypatch.setattr(ngrams, "CHUNK_ROWS", 17)
    spilled = shared_with(held, train, pl.col("text"))
    assert spilled.equals(in_memory) and in_memory.height > 10


def test_spilled_partitions_join_the_same_groups(monkeypatch):
    texts = corpus(240, 2)
    examples = pl.DataFrame(
        {
            "id": [str(i) for i in range(240)],
            "kind": "sft",
            "messages": [[{"role": "user", "content": "q"}, {"role": "assistant", "content": t}] for t in texts],
            "rejected": pl.Series([None] * 240, dtype=pl.String),
            "chosen": pl.Series([None] * 240, dtype=pl.String),
        }
    )
    key = pl.col("id")
    in_memory = joined_groups(examples, key)
    monkeypatch.setattr(ngrams, "PARTITION_ROWS", 50)
    monkeypatch.setattr(ngrams, "CHUNK_ROWS", 33)
    assert joined_groups(examples, key).equals(in_memory)
    assert 1 < in_memory.n_unique() < 240


def test_the_spill_folder_is_removed(monkeypatch, tmp_path):
    monkeypatch.setattr(ngrams, "PARTITION_ROWS", 10)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    frame = pl.DataFrame({"text": corpus(50, 3)})
    shared_with(frame, frame, pl.col("text"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("n", [1, 2])
def test_sampled_distinct_n_is_close_to_the_exact_value(n):
    texts = pl.Series(corpus(3_000, 4))
    exact = distinct.distinct_n(texts, n, window=500)
    sampled = distinct.distinct_n(texts, n, window=500, budget=20_000)  # of about 100,000 n-grams
    assert abs(sampled - exact) < 0.03
