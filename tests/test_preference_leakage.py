"""Leakage and duplicates of preference pairs compare what a pair teaches (prompt, chosen), never a rejected
text against a chosen one: a pair's negative is often another example's chosen answer (issue 17)."""

import random

import polars as pl
from test_report import RUN

from pipeline.config import DedupConfig
from pipeline.dedup import drop_exact_duplicates, drop_near_duplicates
from pipeline.leakage import leakage
from pipeline.records import EXAMPLE
from pipeline.report.risk import overfitting_risk


def passage(seed: int, length: int = 40) -> str:
    rng = random.Random(seed)
    return " ".join(f"w{rng.randrange(2_000)}" for _ in range(length))


def pairs(rows: list[tuple[str, str, str, str, str]]) -> pl.DataFrame:
    """(id, split, prompt, chosen, rejected) -> preference rows as the pair-preferences stage makes them."""
    records = [
        {
            "id": id_,
            "kind": "preference",
            "task": "faq",
            "messages": [{"role": "user", "content": prompt}],
            "chosen": chosen,
            "rejected": rejected,
            "negative": "wrong_section",
            "doc_id": id_,
            "source": f"{id_}.md",
            "section": "s",
            "span_start": 0,
        }
        for id_, _, prompt, chosen, rejected in rows
    ]
    return pl.DataFrame(records, schema=EXAMPLE).with_columns(
        split=pl.Series([row[1] for row in rows]), n_tokens=pl.lit(80), n_prompt_tokens=pl.lit(10)
    )


def handbook(count: int, split: str, start: int) -> list[tuple[str, str, str, str, str]]:
    """Pairs whose rejected answer is the next pair's chosen answer, as nearest-answer negatives are."""
    answers = [passage(start + i) for i in range(count + 1)]
    return [
        (f"{split}{i}", split, f"Question {passage(start + 500 + i, 8)}?", answers[i], answers[i + 1])
        for i in range(count)
    ]


def levels(kept: pl.DataFrame, measured: dict) -> dict[str, str]:
    return {row["metric"]: row["level"] for row in overfitting_risk(kept, measured, {}, RUN)}


def test_a_held_out_negative_that_train_learns_as_its_answer_is_no_leak():
    train = handbook(120, "train", 0)
    # The real shape: each validation pair's rejected text is a train pair's chosen answer, word for word.
    held = [
        (f"v{i}", "validation", f"Other {passage(9_000 + i, 8)}?", passage(8_000 + i), train[i][3]) for i in range(12)
    ]
    kept = pairs(train + held)
    measured = leakage(kept, DedupConfig())["validation"]
    assert measured["ngram_overlap"] == 0 and measured["near_duplicates"] == 0
    found = levels(kept, {"validation": measured})
    assert found["validation_13gram_overlap"] == found["validation_near_duplicates_of_train"] == "ok"


def test_a_held_out_chosen_answer_learnt_in_train_still_leaks():
    train = handbook(120, "train", 0)
    held = [("v-copy", "validation", train[5][2], train[5][3], passage(7_000)), *handbook(11, "validation", 20_000)]
    measured = leakage(pairs(train + held), DedupConfig())["validation"]
    assert measured["ngram_overlap_ids"] == ["v-copy"]
    assert [pair["held"] for pair in measured["near_duplicate_pairs"]] == ["v-copy"]


def test_dedup_never_matches_a_rejected_text_against_a_chosen_one():
    first, second = passage(1), passage(2)
    frame = pairs(
        [
            ("a", "train", "Who is eligible for leave?", first, second),
            ("b", "train", "Who is eligible for leave?", second, first),  # chosen and rejected swapped
            ("c", "train", "How do I apply for leave?", passage(3), first),
            ("d", "train", "How do I apply for leave?", passage(3), first),  # the same pair again
        ]
    ).drop("split")
    for text in ("both", "answer"):
        cfg = DedupConfig(text=text)
        exact = drop_exact_duplicates(frame, cfg)
        assert exact.rejected["id"].to_list() == ["d"]
        assert drop_near_duplicates(exact.kept, cfg).rejected.height == 0
