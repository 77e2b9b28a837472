"""Vectorised shingles and signatures equal datasketch fed the plain-Python shingles, bit for bit."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.similarity.jaccard import pair_jaccard
from pipeline.similarity.minhash import (
    permutations,
    shingle_hash,
    shingle_hash64,
    shingle_hashes,
    shingles,
    signatures,
)
from pipeline.similarity.normal import normalise

SAMPLE_DATA = Path(__file__).resolve().parents[1] / "sample_data"
EMPTY_SIGNATURE = {"affine32": 2**32 - 1, "legacy": 2**32 - 1}


def paragraphs() -> list[str]:
    """Every paragraph of the sample corpus's Markdown and text files: several hundred real texts."""
    files = sorted(path for path in SAMPLE_DATA.rglob("*") if path.suffix in {".md", ".txt"})
    texts = [part for path in files for part in re.split(r"\n\s*\n", path.read_text(errors="replace"))]
    return [text for text in texts if text.strip()]


def normalised(texts: list[str]) -> pl.Series:
    return pl.DataFrame({"text": texts}, schema={"text": pl.String}).select(normalise(pl.col("text"))).to_series()


def datasketch_row(text: str, n: int, num_perm: int, seed: int, scheme: str = "affine32") -> np.ndarray:
    reference = MinHash(num_perm=num_perm, seed=seed, hashfunc=shingle_hash, scheme=scheme)
    reference.update_batch(shingles(text, n))
    return reference.hashvalues


def assert_rows_equal_datasketch(texts: pl.Series, n: int, num_perm: int, seed: int, scheme: str, **kw) -> None:
    matrix = signatures(texts, n, num_perm, seed, scheme, **kw)
    assert matrix.shape == (len(texts), num_perm)
    for row, text in zip(matrix, texts.fill_null(""), strict=True):
        np.testing.assert_array_equal(row, datasketch_row(text, n, num_perm, seed, scheme))


@pytest.fixture(scope="module")
def corpus() -> pl.Series:
    texts = normalised(paragraphs())
    assert len(texts) >= 300
    return texts


@pytest.mark.parametrize("num_perm", [128, 64])
@pytest.mark.parametrize("seed", [1, 42])
def test_signatures_equal_datasketch_on_real_paragraphs(corpus, num_perm, seed):
    assert_rows_equal_datasketch(corpus, 5, num_perm, seed, "affine32")


def test_legacy_scheme_equals_datasketch_legacy(corpus):
    # (a*h + b) % (2**61 - 1) & (2**32 - 1) with uint64 wrap-around in a*h, as datasketch computes it
    assert_rows_equal_datasketch(corpus[:200], 5, 128, 1, "legacy")


def test_batching_does_not_change_signatures(corpus):
    whole = signatures(corpus, 5)
    np.testing.assert_array_equal(signatures(corpus, 5, chunk_bytes=700), whole)  # many batches, long texts alone
    np.testing.assert_array_equal(np.vstack([signatures(corpus[i : i + 1], 5) for i in range(40)]), whole[:40])
    hashes, batched = shingle_hashes(corpus, 5), shingle_hashes(corpus, 5, chunk_bytes=700)
    np.testing.assert_array_equal(batched.hashes, hashes.hashes)
    np.testing.assert_array_equal(batched.offsets, hashes.offsets)


def test_vectorised_hashes_equal_the_python_hash(corpus):
    hashes = shingle_hashes(corpus, 5)
    for i, text in enumerate(corpus):
        expected = [shingle_hash64(shingle) for shingle in shingles(text, 5)]
        assert hashes.hashes[hashes.offsets[i] : hashes.offsets[i + 1]].tolist() == expected


@pytest.mark.parametrize(
    ("text", "n", "expected"),
    [
        ("", 5, []),
        ("   ", 5, []),
        ("one", 5, ["one"]),
        ("one two", 5, ["one two"]),
        ("a b c d e", 5, ["a b c d e"]),
        ("a b c d e f", 5, ["a b c d e", "b c d e f"]),
        ("a b a b a b", 2, ["a b", "b a", "a b", "b a", "a b"]),
        ("  lead  and trail ", 2, ["lead  and", "and trail"]),  # un-normalised: the span between the words
    ],
)
def test_shingles_spec(text, n, expected):
    assert shingles(text, n) == expected
    hashes = shingle_hashes(pl.Series([text]), n)
    assert hashes.hashes.tolist() == [shingle_hash64(shingle) for shingle in expected]
    assert hashes.offsets.tolist() == [0, len(expected)]


@pytest.mark.parametrize("scheme", ["affine32", "legacy"])
def test_texts_without_shingles_have_the_empty_signature(scheme):
    matrix = signatures(pl.Series(["", None, "   ", "word"]), 5, 32, 1, scheme)
    assert (matrix[:3] == EMPTY_SIGNATURE[scheme]).all()
    np.testing.assert_array_equal(matrix[3], datasketch_row("word", 5, 32, 1, scheme))
    np.testing.assert_array_equal(matrix[0], MinHash(num_perm=32, seed=1, scheme=scheme).hashvalues)


@settings(max_examples=100, deadline=None)
@given(num_perm=st.integers(1, 300), seed=st.integers(0, 2**32 - 1), scheme=st.sampled_from(["affine32", "legacy"]))
def test_permutations_are_datasketchs(num_perm, seed, scheme):
    a, b = permutations(num_perm, seed, scheme)
    expected_a, expected_b = MinHash(num_perm=num_perm, seed=seed, scheme=scheme).permutations
    assert a.dtype == expected_a.dtype and b.dtype == expected_b.dtype
    np.testing.assert_array_equal(a, expected_a)
    np.testing.assert_array_equal(b, expected_b)


def test_a_signature_does_not_import_datasketch():
    # Importing datasketch imports scipy's integrate and optimize: 0.3 s in every worker that made a signature.
    script = (
        "import sys, polars as pl\n"
        "from pipeline.similarity.minhash import signatures\n"
        "signatures(pl.Series(['a b c d e f']), 5)\n"
        "print('datasketch' in sys.modules)"
    )
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False"


def test_no_texts():
    assert signatures(pl.Series([], dtype=pl.String), 5).shape == (0, 128)


texts_strategy = st.lists(st.text(max_size=60) | st.text(alphabet=" ab\u00e9\u4e2d\x00\n", max_size=30), max_size=8)


@settings(max_examples=150, deadline=None)
@given(
    texts=texts_strategy,
    n=st.integers(1, 6),
    seed=st.integers(0, 2**31),
    scheme=st.sampled_from(["affine32", "legacy"]),
)
def test_random_unicode_batches_equal_datasketch(texts, n, seed, scheme):
    batch = pl.Series(texts, dtype=pl.String)
    assert_rows_equal_datasketch(batch, n, 16, seed, scheme, chunk_bytes=16)
    assert_rows_equal_datasketch(normalised(texts), n, 16, seed, scheme)


def set_jaccard(left: str, right: str, n: int) -> float:
    a, b = set(shingles(left, n)), set(shingles(right, n))
    return len(a & b) / len(a | b) if a | b else 1.0


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("a b c d e f", "a b c d e f", 1.0),
        ("a b c d e f", "a b c d e g", 1 / 3),
        ("a b c d e f g h", "x y z", 0.0),
        ("", "", 1.0),
        ("", "a", 0.0),
        ("a b c d e a b c d e", "a b c d e", 1 / 5),  # five distinct shingles, "a b c d e" counted once
    ],
)
def test_pair_jaccard_table(left, right, expected):
    hashes = shingle_hashes(pl.Series([left, right]), 5)
    assert pair_jaccard(hashes, np.array([0]), np.array([1]))[0] == pytest.approx(expected)
    assert expected == pytest.approx(set_jaccard(left, right, 5))


@settings(max_examples=100, deadline=None)
@given(
    texts=st.lists(st.text(alphabet="abc d", max_size=40), min_size=1, max_size=6), n=st.integers(1, 4), data=st.data()
)
def test_pair_jaccard_equals_python_set_jaccard(texts, n, data):
    index = st.integers(0, len(texts) - 1)
    pairs = data.draw(st.lists(st.tuples(index, index), max_size=10))
    a = np.array([p[0] for p in pairs], dtype=np.int64)
    b = np.array([p[1] for p in pairs], dtype=np.int64)
    got = pair_jaccard(shingle_hashes(pl.Series(texts), n), a, b)
    assert got.tolist() == pytest.approx([set_jaccard(texts[i], texts[j], n) for i, j in pairs])


def test_pair_jaccard_on_real_paragraphs(corpus):
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, len(corpus), 300), rng.integers(0, len(corpus), 300)
    b[:100] = a[:100]  # some identical pairs
    got = pair_jaccard(shingle_hashes(corpus, 3), a, b)
    texts = corpus.to_list()
    assert got.tolist() == pytest.approx([set_jaccard(texts[i], texts[j], 3) for i, j in zip(a, b, strict=True)])


def test_minhash_blocks_do_not_change_signatures(corpus, monkeypatch):
    whole = signatures(corpus[:60], 5)
    monkeypatch.setattr("pipeline.similarity.minhash.BLOCK", 7)  # blocks of whole documents; longer documents alone
    np.testing.assert_array_equal(signatures(corpus[:60], 5), whole)


def test_pair_jaccard_asks_for_batches_above_its_key_width():
    hashes = shingle_hashes(pl.Series(["a b c"]), 2)
    with pytest.raises(ValueError, match="in batches"):
        pair_jaccard(hashes, np.zeros(2**20, dtype=np.int64), np.zeros(2**20, dtype=np.int64))
