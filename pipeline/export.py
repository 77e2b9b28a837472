"""Exports of a finished run: train/validation files in the target format, rejects, a Hugging Face dataset."""

from pathlib import Path

import polars as pl

from pipeline.checks.targets import get_target
from pipeline.io import write_jsonl, write_parquet, write_text
from pipeline.records import REJECTED, conform
from pipeline.split import SPLIT_NAMES

# Besides the conversation: where each example came from, how it was made, and its size in tokens.
HF_COLUMNS = (
    "id", "task", "generator", "source", "section", "span_start", "span_end",
    "n_prompt_tokens", "n_completion_tokens", "n_tokens",
)  # fmt: skip


def write_splits(examples: pl.DataFrame, target_name: str, out: Path) -> list[Path]:
    """`train.jsonl`, `validation.jsonl` (and `test.jsonl` when there is a test split), rows in a stable
    order, exactly the target's records."""
    target = get_target(target_name)
    written = []
    for split in SPLIT_NAMES:
        rows = examples.filter(pl.col("split") == split).sort("source", "span_start", "id", nulls_last=True)
        if split == "test" and rows.height == 0:
            continue
        path = out / f"{split}.jsonl"
        write_jsonl(path, rows, target.to_records)
        written.append(path)
    return written


def write_rejects(rejected: pl.DataFrame, out: Path) -> Path:
    """`rejects.jsonl`: each rejected record with reject_stage, reject_reason and reject_detail."""
    path = out / "rejects.jsonl"
    ordered = conform(rejected, REJECTED).sort("reject_stage", "source", "span_start", "id", nulls_last=True)
    write_jsonl(path, ordered)
    return path


def write_hf_dataset(examples: pl.DataFrame, target_name: str, out: Path, title: str) -> list[Path]:
    """A folder `datasets.load_dataset` reads offline: parquet per split plus a card with YAML config."""
    target = get_target(target_name)
    folder = out / "hf"
    written, data_files = [], []
    for split in SPLIT_NAMES:
        rows = examples.filter(pl.col("split") == split).sort("source", "span_start", "id", nulls_last=True)
        if rows.height == 0:
            continue
        path = folder / "data" / f"{split}-00000-of-00001.parquet"
        write_parquet(
            path, rows, lambda part: pl.concat([target.to_records(part), part.select(HF_COLUMNS)], how="horizontal")
        )
        written.append(path)
        data_files.append((split, path.relative_to(folder).as_posix(), rows.height))
    card = folder / "README.md"
    write_text(card, dataset_card(title, target_name, data_files))
    return [*written, card]


def dataset_card(title: str, target_name: str, data_files: list[tuple[str, str, int]]) -> str:
    total = sum(count for _, _, count in data_files)
    size = (
        "n<1K"
        if total < 1_000
        else "1K<n<10K"
        if total < 10_000
        else "10K<n<100K"
        if total < 100_000
        else "100K<n<1M"
        if total < 1_000_000
        else "n>1M"
    )
    files = "\n".join(f"  - split: {split}\n    path: {path}" for split, path, _ in data_files)
    counts = "\n".join(f"| {split} | {count} |" for split, _, count in data_files)
    return f"""---
configs:
- config_name: default
  data_files:
{files}
task_categories:
- text-generation
tags:
- ftprep
- sft
size_categories:
- {size}
---

# {title}

Instruction-response pairs prepared by ftprep in the `{target_name}`
format: `messages` holds the conversation; `id`, `task`, `source` and `section` trace each example to
the passage it was taken from, and the token columns are counted with the target model's encoding.

| split | examples |
|---|---|
{counts}

Examples from one source section never appear in both splits. `report.md` beside this folder has the
full accounting of what was kept and rejected, and why.
"""
