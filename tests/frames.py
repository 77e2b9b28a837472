"""Frames of examples for stage tests, built from plain tuples."""

import polars as pl

from pipeline.records import EXAMPLE


def sft_examples(rows: list[tuple[str, str, str]]) -> pl.DataFrame:
    """One single-turn FAQ example per (id, prompt, answer)."""
    return pl.DataFrame(
        [
            {
                "id": example_id,
                "kind": "sft",
                "task": "faq",
                "messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}],
            }
            for example_id, prompt, answer in rows
        ],
        schema=EXAMPLE,
    )
