"""Partitioned global stages equal the whole-frame ones: same candidates, rejects, token counts, groups, leakage.

Corpora are drawn from a small vocabulary so that they hold near duplicates, passages shared across
groups, buckets above MAX_BUCKET_PAIRS (boilerplate) and preference pairs; each is run whole and cut into
1 to 5 partitions (in this process, and once on real worker processes).
"""

import random
from dataclasses import replace

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from pipeline import steps
from pipeline.config import DedupConfig, PrepareConfig, SplitConfig, TokensConfig
from pipeline.dedup import drop_near_duplicates, in_keep_order
from pipeline.executor import LocalBackend
from pipeline.leakage import leakage, reusable
from pipeline.partitions import Mapper
from pipeline.records import EXAMPLE
from pipeline.report.quality import language_mix
from pipeline.similarity import partitioned
from pipeline.similarity.compare import CompareTexts
from pipeline.similarity.lsh import MAX_BUCKET_PAIRS, text_candidates
from pipeline.similarity.partitioned import candidates_over
from pipeline.split import split_by_group
from pipeline.state import RunState
from pipeline.tokens import count_tokens

WORDS = "the a policy travel expense form submit approve manager receipt within days of trip report card".split()
BOILERPLATE = "for questions about this page contact the operations team in the shared channel any weekday"


def corpus(seed: int, n: int = 240) -> pl.DataFrame:
    rng = random.Random(seed)
    bases = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 60))) for _ in range(n // 4)]
    rows = []
    for number in range(n):
        answer = rng.choice(bases)
        if rng.random() < 0.5:  # a near duplicate: one word changed
            words = answer.split()
            words[rng.randrange(len(words))] = rng.choice(WORDS)
            answer = " ".join(words)
        prompt = f"What does the handbook say about {rng.choice(WORDS[:3])}?"
        if number % 3 == 0:  # boilerplate: one bucket far above MAX_BUCKET_PAIRS
            prompt, answer = "Who do I ask?", BOILERPLATE
        preference = number % 7 == 0
        rows.append(
            {
                "id": f"ex-{number:04d}",
                "kind": "preference" if preference else "sft",
                "task": rng.choice(["faq", "howto"]),
                "doc_id": f"doc-{number % 23}",
                "section": f"section-{number % 41}",
                "source": f"docs/page-{number % 23}.md",
                "span_start": number,
                "messages": [{"role": "user", "content": prompt}]
                + ([] if preference else [{"role": "assistant", "content": answer}]),
                "chosen": answer if preference else None,
                "rejected": rng.choice(bases) if preference else None,
                "system": "You answer from the handbook." if number % 5 == 0 else None,
            }
        )
    return pl.DataFrame(rows, schema=EXAMPLE)


def in_process(tmp_path, width: int, shuffles: bool = True) -> Mapper:
    run = lambda name, function, items: [function(i) for i in items]  # noqa: E731
    return Mapper("test", tmp_path / f"w{width}", width, run, shuffles)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("width", [1, 2, 5])
@pytest.mark.parametrize("shuffles", [True, False])
def test_band_candidates_over_partitions_equal_the_whole(tmp_path, seed, width, shuffles):
    examples, cfg = in_keep_order(corpus(seed)), DedupConfig()
    whole = text_candidates(CompareTexts(examples, cfg.text), cfg)
    assert whole.height > MAX_BUCKET_PAIRS  # a star bucket (boilerplate) and small ones
    found = candidates_over(examples, cfg.text, cfg, in_process(tmp_path, width, shuffles), "near")
    assert_frame_equal(found, whole)
    assert (tmp_path / f"w{width}" / "near-bands").exists() == shuffles  # hash partitions, or none


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("width", [2, 3, 5])
def test_near_duplicate_dedup_over_partitions_equals_the_whole(tmp_path, seed, width):
    examples = corpus(seed)
    whole = drop_near_duplicates(examples, DedupConfig())
    parted = drop_near_duplicates(examples, DedupConfig(), in_process(tmp_path, width))
    assert whole.rejected.height > 0
    assert_frame_equal(parted.kept, whole.kept)
    assert_frame_equal(parted.rejected, whole.rejected)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("width", [2, 5])
def test_token_counts_over_partitions_equal_the_whole(tmp_path, seed, width):
    examples, cfg = corpus(seed), TokensConfig(max_tokens_per_example=60)
    whole = count_tokens(examples, cfg, "gpt-4o-mini")
    parted = count_tokens(examples, cfg, "gpt-4o-mini", in_process(tmp_path, width))
    assert whole.rejected.height > 0 and whole.kept.height > 0
    assert_frame_equal(parted.kept, whole.kept)
    assert_frame_equal(parted.rejected, whole.rejected)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("width", [2, 5])
def test_split_and_leakage_over_partitions_equal_the_whole(tmp_path, seed, width):
    examples = drop_near_duplicates(corpus(seed), DedupConfig()).kept
    cfg = SplitConfig(validation_ratio=0.2, test_ratio=0.1)
    whole = split_by_group(examples, cfg)
    parted = split_by_group(examples, cfg, in_process(tmp_path, width))
    assert_frame_equal(parted, whole)
    assert whole["group"].n_unique() < examples.select("doc_id", "section").n_unique()  # passages joined groups
    # Leakage of an unsplit-aware split (by id) so that n-grams and near duplicates cross it.
    naive = examples.with_columns(
        split=pl.Series(["train", "train", "validation", "test"] * examples.height)[: examples.height]
    )
    found = leakage(naive, DedupConfig())
    assert found["validation"]["ngram_overlap"] > 0 and found["validation"]["near_duplicates"] > 0
    assert leakage(naive, DedupConfig(), in_process(tmp_path, width)) == found


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("preference", [False, True])
def test_leakage_reads_the_splits_grams_and_equals_its_own(tmp_path, seed, preference):
    """The split step's 13-gram spill answers leakage's n-gram question for an SFT corpus; with rejected texts,
    or once the rows change, leakage makes its own n-grams: the numbers are the same every way."""
    examples = drop_near_duplicates(corpus(seed), DedupConfig()).kept
    if not preference:
        examples = examples.filter(pl.col("kind") == "sft")
    state = replace(RunState.start(), examples=examples)
    cfg = PrepareConfig(sources=["."], out=str(tmp_path), split=SplitConfig(validation_ratio=0.3, test_ratio=0.2))
    split = steps.split(state, cfg, in_process(tmp_path / "split", 3))
    assert split.grams is not None and split.grams.holds(split.examples)
    assert reusable(split.grams, split.examples) is not preference
    # A split naive about groups, by the grams' own rows: n-grams cross it.
    naive = split.examples.with_columns(
        split=pl.Series(["train", "train", "validation", "test"] * examples.height)[: examples.height]
    )
    found = leakage(naive, DedupConfig())
    assert found["validation"]["ngram_overlap"] > 0 and found["test"]["ngram_overlap"] > 0
    assert leakage(naive, DedupConfig(), in_process(tmp_path / "leakage", 3), split.grams) == found
    measured = steps.measure_leakage(replace(split, examples=naive), cfg, in_process(tmp_path / "step", 2))
    assert measured.leakage == found
    assert not split.grams.holds(naive.reverse()) and not split.grams.holds(naive.head(-1))
    assert leakage(naive.reverse(), DedupConfig(), in_process(tmp_path / "rev", 3), split.grams) == leakage(
        naive.reverse(), DedupConfig()
    )


def test_partitions_on_worker_processes_equal_the_whole(tmp_path):
    examples, cfg = corpus(4), TokensConfig()
    backend = LocalBackend(2)
    try:
        parted = count_tokens(examples, cfg, "gpt-4o-mini", Mapper("tokens", tmp_path, 2, backend.map))
        deduped = drop_near_duplicates(examples, DedupConfig(), Mapper("dedup-near", tmp_path / "near", 3, backend.map))
        gathered = Mapper("dedup-near", tmp_path / "gathered", 3, backend.map, shuffles=False)
        deduped_here = drop_near_duplicates(examples, DedupConfig(), gathered)
        languages = language_mix(answers(6), Mapper("report", tmp_path / "report", 2, backend.map))
    finally:
        backend.close()
    assert_frame_equal(parted.kept, count_tokens(examples, cfg, "gpt-4o-mini").kept)
    assert_frame_equal(deduped.kept, drop_near_duplicates(examples, DedupConfig()).kept)
    assert_frame_equal(deduped_here.kept, deduped.kept)
    assert languages == language_mix(answers(6))


def test_workers_hashing_a_few_texts_at_a_time_change_nothing(tmp_path, monkeypatch):
    examples = drop_near_duplicates(corpus(5), DedupConfig()).kept
    whole_split = split_by_group(examples, SplitConfig())
    whole_near = drop_near_duplicates(corpus(5), DedupConfig())
    monkeypatch.setattr(partitioned, "WORKER_CHUNK_ROWS", 7)  # several chunks in every partition
    assert_frame_equal(split_by_group(examples, SplitConfig(), in_process(tmp_path, 3)), whole_split)
    assert_frame_equal(
        drop_near_duplicates(corpus(5), DedupConfig(), in_process(tmp_path / "n", 3)).rejected, whole_near.rejected
    )


GERMAN = "Die Reisekostenabrechnung muss innerhalb von dreißig Tagen nach der Rückkehr eingereicht werden."
ENGLISH = [
    f"Submit the expense report within {n} days of your return so that your manager can approve it." for n in range(9)
]
# Unsure of themselves: "Ja, bitte." and "Per Mail." rank German first, "Gut." English; each has the other among
# its candidates, so all three take the batch's main language, the commonest over *distinct* prose (English: 9
# texts against one German text written 30 times). Counting rows instead would make it German.
SHORT = [
    "Ja, bitte.",
    "Per Mail.",
    "Gut.",
    "42 kW",
    "def f(x): return x",
    "休暇の申請は上司に。",
    "请向经理提交休假申请。",
]


def answers(seed: int) -> pl.DataFrame:
    texts = [GERMAN] * 30 + ENGLISH + SHORT
    random.Random(seed).shuffle(texts)  # copies of the German text fall in every partition
    rows = corpus(seed, len(texts)).to_dicts()
    for row, text in zip(rows, texts, strict=True):
        row |= {"kind": "sft", "chosen": None, "rejected": None}
        row["messages"] = [{"role": "user", "content": "What should I do?"}, {"role": "assistant", "content": text}]
    return pl.DataFrame(rows, schema=EXAMPLE)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("width", [2, 5])
def test_language_mix_over_partitions_equals_the_whole(tmp_path, seed, width):
    kept = answers(seed)
    whole = language_mix(kept)
    assert whole == {"de": 30, "en": 12, "unknown": 2, "ja": 1, "zh": 1}  # the three short texts are English
    assert language_mix(kept, in_process(tmp_path, width)) == whole
