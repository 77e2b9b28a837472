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


def with_prompts(examples: pl.DataFrame, prompts: list[str]) -> pl.DataFrame:
    messages = [[{"role": "user", "content": p}, {"role": "assistant", "content": "a"}] for p in prompts]
    return examples.with_columns(pl.Series("messages", messages, dtype=EXAMPLE["messages"]))


def test_clusters_and_identical_prompts_keep_their_groups_together():
    examples = frame([(f"d{d}", "s", "faq", 1) for d in range(40)])
    clusters = [f"c{d // 2}" if d < 10 else None for d in range(40)]  # d0+d1, d2+d3, ... are near-duplicates
    prompts = [
        "How long is the HP-7 warranty exactly?" if d in (20, 31, 37) else f"Question number {d} here please?"
        for d in range(40)
    ]
    examples = with_prompts(examples, prompts).with_columns(pl.Series("cluster_id", clusters))
    for seed in range(8):
        split = split_by_group(examples, SplitConfig(validation_ratio=0.3, seed=seed)).sort("doc_id")
        sides_of = dict(zip(split["doc_id"], split["split"], strict=True))
        assert all(sides_of[f"d{2 * c}"] == sides_of[f"d{2 * c + 1}"] for c in range(5))
        assert sides_of["d20"] == sides_of["d31"] == sides_of["d37"]


def test_short_identical_prompts_do_not_fuse_groups():
    examples = with_prompts(frame([(f"d{d}", "s", "faq", 1) for d in range(20)]), ["Continue."] * 20)
    split = split_by_group(examples, SplitConfig(validation_ratio=0.2))
    assert split["group"].n_unique() == 20 and split.filter(pl.col("split") == "validation").height == 4


def test_test_split_and_minimum_validation():
    groups = [(f"d{d}", "s", "faq", 1) for d in range(100)]
    split = split_by_group(frame(groups), SplitConfig(validation_ratio=0.1, test_ratio=0.2))
    counts = dict(split.group_by("split").len().iter_rows())
    assert counts == {"train": 70, "validation": 10, "test": 20}
    tiny = split_by_group(frame(groups[:30]), SplitConfig(validation_ratio=0.01, min_validation=5))
    assert tiny.filter(pl.col("split") == "validation").height == 5


def test_group_pattern_keeps_each_folder_on_one_side():
    examples = frame([(f"d{d}", f"s{s}", "faq", 1) for d in range(30) for s in range(2)]).with_columns(
        source=pl.format("customer{}/page.md", pl.col("doc_id").str.slice(1).cast(pl.Int32) % 6)
    )
    split = split_by_group(examples, SplitConfig(validation_ratio=0.2, group_pattern=r"^([^/]+)/"))
    assert sides(split, ["source"])["sides"].max() == 1
    assert split["group"].n_unique() == 6


def test_stratify_by_task_and_source():
    groups = [(f"d{d}", f"s{s}", "faq", 1) for d in range(20) for s in range(5)]
    examples = frame(groups).with_columns(
        source=pl.when(pl.col("doc_id") < "d2").then(pl.lit("a.md")).otherwise(pl.lit("b.md"))
    )
    split = split_by_group(examples, SplitConfig(validation_ratio=0.2, stratify_by="task_and_source"))
    for source in ("a.md", "b.md"):
        part = split.filter(pl.col("source") == source)
        assert part.filter(pl.col("split") == "validation").height == round(0.2 * part.height)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["faq", "heading", "table"]), st.integers(1, 6)), min_size=2, max_size=40),
    st.floats(0.05, 0.5),
    st.integers(0, 5),
)
def test_each_stratum_is_within_one_group_of_its_share(groups, ratio, seed):
    examples = frame([(f"d{i}", "s", task, size) for i, (task, size) in enumerate(groups)])
    split = split_by_group(examples, SplitConfig(validation_ratio=ratio, seed=seed, min_validation=0))
    assert sides(split, ["doc_id"])["sides"].max() == 1
    for task in {task for task, _ in groups}:
        sizes = [size for t, size in groups if t == task]
        part = split.filter(pl.col("task") == task)
        held = part.filter(pl.col("split") == "validation").height
        target = max(ratio * sum(sizes), 1) if len(sizes) > 1 else ratio * sum(sizes)
        assert abs(held - target) <= max(sizes)
