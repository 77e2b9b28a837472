import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import SplitConfig
from pipeline.records import EXAMPLE
from pipeline.split import pick_validation, split_by_group


def frame(groups: list[tuple[str, str, str, int]]) -> pl.DataFrame:
    """(doc_id, section, task, size) groups -> examples."""
    rows = [
        {"id": f"{doc}-{section}-{i}", "kind": "sft", "task": task, "doc_id": doc, "section": section, "messages": []}
        for doc, section, task, size in groups
        for i in range(size)
    ]
    return pl.DataFrame(rows, schema=EXAMPLE)


def sides(split: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    return split.group_by(key).agg(pl.col("split").n_unique().alias("sides"))


def test_sections_never_straddle_and_ratio_is_close():
    groups = [(f"d{d}", f"s{s}", "faq" if s % 2 else "heading", 1 + (d + s) % 4) for d in range(10) for s in range(8)]
    split = split_by_group(frame(groups), SplitConfig(validation_ratio=0.2))
    assert sides(split, ["doc_id", "section"])["sides"].max() == 1
    for task in ("faq", "heading"):
        part = split.filter(pl.col("task") == task)
        share = part.filter(pl.col("split") == "validation").height / part.height
        assert share == pytest.approx(0.2, abs=0.05)


def test_group_by_document():
    groups = [(f"d{d}", f"s{s}", "faq", 2) for d in range(10) for s in range(3)]
    split = split_by_group(frame(groups), SplitConfig(validation_ratio=0.2, group_by="document"))
    assert sides(split, ["doc_id"])["sides"].max() == 1


def test_seeded_and_deterministic():
    groups = [(f"d{d}", "s", "faq", 2) for d in range(40)]
    runs = [split_by_group(frame(groups), SplitConfig(seed=seed))["split"].to_list() for seed in (0, 0, 1)]
    assert runs[0] == runs[1] and runs[0] != runs[2]


def test_order_of_input_does_not_matter():
    examples = frame([(f"d{d}", "s", "faq", 1 + d % 3) for d in range(30)])
    a = split_by_group(examples, SplitConfig()).sort("id")["split"]
    b = split_by_group(examples.reverse(), SplitConfig()).sort("id")["split"]
    assert a.to_list() == b.to_list()


@settings(max_examples=60)
@given(st.lists(st.integers(1, 9), min_size=2, max_size=30), st.floats(0.05, 0.5))
def test_pick_validation_moves_towards_the_target(sizes, ratio):
    groups = [str(i) for i in range(len(sizes))]
    taken = pick_validation(groups, sizes, ratio)
    count = sum(size for group, size in zip(groups, sizes, strict=True) if group in taken)
    assert len(taken) < len(groups)
    assert abs(count - max(ratio * sum(sizes), 1)) <= max(sizes)
