import itertools
import random

import numpy as np
import polars as pl
import pytest
from datasketch import MinHash
from polars.testing import assert_frame_equal

from pipeline.config import DedupConfig
from pipeline.dedup import drop_exact_duplicates, drop_near_duplicates
from pipeline.records import EXAMPLE
from pipeline.similarity.jaccard import jaccard
from pipeline.similarity.lsh import MAX_BUCKET_PAIRS, candidate_pairs
from pipeline.similarity.minhash import set_signatures, shingle_set

WORDS = [
    "heat",
    "pump",
    "battery",
    "solar",
    "hub",
    "warranty",
    "install",
    "defrost",
    "tariff",
    "export",
    "credit",
    "inverter",
    "panel",
    "roof",
    "grid",
    "meter",
]


def frame(answers: list[str], prompt: str = "Tell me about the product range please?") -> pl.DataFrame:
    rows = [
        {
            "id": f"e{i:03d}",
            "kind": "sft",
            "task": "faq",
            "source": f"s{i:03d}.md",
            "span_start": 0,
            "doc_id": f"d{i}",
            "section": "",
            "messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}],
        }
        for i, answer in enumerate(answers)
    ]
    return pl.DataFrame(rows, schema=EXAMPLE)


def sentence(rng: random.Random, n: int = 60) -> str:
    return " ".join(rng.choice(WORDS) + str(rng.randint(0, 50)) for _ in range(n))


def test_exact_duplicates_keep_the_first_and_name_it():
    kept, rejected = drop_exact_duplicates(
        frame(["Same answer here.", "same   ANSWER here!", "Other answer."]), DedupConfig()
    )
    assert kept["id"].to_list() == ["e000", "e002"]
    assert rejected.select("id", "reject_reason", "reject_detail").rows() == [
        ("e001", "exact_duplicate", "same text as e000")
    ]


def test_near_duplicates_are_clustered_and_verified():
    rng = random.Random(7)
    base = sentence(rng)
    words = base.split()
    edited = " ".join([*words[:-2], "changed", "words"])  # J(5-grams) well above 0.8
    distinct = sentence(rng)
    kept, rejected = drop_near_duplicates(frame([base, edited, distinct]), DedupConfig())
    assert sorted(kept["id"]) == ["e000", "e002"]
    assert rejected["id"].to_list() == ["e001"]
    assert rejected["reject_detail"][0].startswith("near-duplicate of e000 (Jaccard 0.")
    assert kept.filter(pl.col("id") == "e000")["cluster_id"][0] == "e000"


def test_verification_in_batches_gives_the_same_split(monkeypatch):
    rng = random.Random(11)
    bases = [sentence(rng) for _ in range(6)]
    answers = bases + [" ".join([*base.split()[:-1], "edited"]) for base in bases]
    whole = drop_near_duplicates(frame(answers), DedupConfig())
    monkeypatch.setattr("pipeline.similarity.jaccard.VERIFY_PAIRS", 1)
    batched = drop_near_duplicates(frame(answers), DedupConfig())
    assert whole.rejected.height == 6
    assert_frame_equal(batched.kept, whole.kept)
    assert_frame_equal(batched.rejected, whole.rejected)


def test_below_threshold_pairs_are_kept():
    rng = random.Random(3)
    base = sentence(rng).split()
    half = " ".join(base[:30] + sentence(rng, 30).split())
    kept, rejected = drop_near_duplicates(frame([" ".join(base), half]), DedupConfig(text="answer"))
    assert rejected.height == 0 and kept.height == 2


@pytest.mark.parametrize("n_docs", [1, 2, 40])
def test_kept_plus_rejected_is_the_input(n_docs):
    rng = random.Random(n_docs)
    answers = [sentence(rng) for _ in range(n_docs)]
    answers += answers[: n_docs // 2]  # exact copies
    examples = frame(answers)
    exact = drop_exact_duplicates(examples, DedupConfig())
    near = drop_near_duplicates(exact.kept, DedupConfig())
    ids = sorted(near.kept["id"].to_list() + near.rejected["id"].to_list() + exact.rejected["id"].to_list())
    assert ids == sorted(examples["id"].to_list())


@pytest.mark.parametrize("seed", [1, 7])
def test_signatures_equal_datasketch_minhash(seed):
    rng = random.Random(1)
    texts = [sentence(rng, rng.randint(1, 40)) for _ in range(50)]
    shingles = [shingle_set(text, 5) for text in texts] + [frozenset()]
    signatures = set_signatures(shingles, 128, seed)
    assert signatures.dtype == np.uint64
    for row, group in zip(signatures, shingles, strict=True):
        reference = MinHash(num_perm=128, seed=seed)
        reference.update_batch([s.encode() for s in group])
        assert (row == reference.hashvalues).all()


def test_disabled_stages_keep_everything():
    examples = frame(["a b c d e f", "a b c d e f"])
    assert drop_exact_duplicates(examples, DedupConfig(exact=False)).kept.height == 2
    assert drop_near_duplicates(examples, DedupConfig(near=False)).kept.height == 2


def test_jaccard_and_shingles():
    assert shingle_set("one two", 5) == frozenset(["one two"])
    assert shingle_set("", 5) == frozenset()
    assert jaccard(frozenset(["a", "b"]), frozenset(["b", "c"])) == pytest.approx(1 / 3)


def test_keep_policies_choose_the_member_that_stays():
    from pipeline.config import DedupConfig
    from pipeline.dedup import drop_exact_duplicates, drop_near_duplicates
    from pipeline.records import EXAMPLE

    base = "The HP-7 warranty covers parts and labour for five years and the compressor for ten years"
    rows = [
        ("a-short", "archive/a.md", base + "."),
        ("b-long", "policies/b.md", base + " with an active CarePlan."),
        ("c-repetitive", "z/c.md", base + " years years years years years."),
    ]
    frame = pl.DataFrame(
        [
            {
                "id": i,
                "kind": "sft",
                "task": "faq",
                "source": source,
                "messages": [
                    {"role": "user", "content": "How long is the warranty?"},
                    {"role": "assistant", "content": text},
                ],
            }
            for i, source, text in rows
        ],
        schema=EXAMPLE,
    )

    def kept(keep: str, frame: pl.DataFrame = frame) -> list[str]:
        cfg = DedupConfig(keep=keep, threshold=0.5)
        return drop_near_duplicates(drop_exact_duplicates(frame, cfg).kept, cfg).kept["id"].to_list()

    assert kept("first") == ["a-short"]
    assert kept("longest") == ["c-repetitive"]
    assert kept("best_quality") == ["b-long"]  # fuller than a-short, less repetitive than c-repetitive
    scored = frame.with_columns(quality_score=pl.Series([0.1, 0.2, 0.9]))
    assert kept("best_quality", scored) == ["c-repetitive"]  # a given score wins


def reference_candidate_pairs(signatures: np.ndarray, bands: int, rows: int) -> set[tuple[int, int]]:
    pairs = set()
    for band in range(bands):
        buckets: dict[bytes, list[int]] = {}
        for row, values in enumerate(signatures[:, band * rows : (band + 1) * rows]):
            buckets.setdefault(values.tobytes(), []).append(row)
        for members in buckets.values():
            if len(members) > MAX_BUCKET_PAIRS:
                pairs |= {(members[0], other) for other in members[1:]}
            else:
                pairs |= set(itertools.combinations(members, 2))
    return pairs


@pytest.mark.parametrize(
    ("n", "values", "bands", "rows"), [(1, 2, 16, 8), (50, 2, 8, 2), (300, 3, 16, 1), (200, 1, 4, 4)]
)
def test_candidate_pairs_equal_a_python_reference(n, values, bands, rows):
    signatures = np.random.default_rng(n).integers(0, values, (n, bands * rows)).astype(np.uint32)
    pairs = candidate_pairs(signatures, bands, rows)
    assert pairs.rows() == sorted(reference_candidate_pairs(signatures, bands, rows))
