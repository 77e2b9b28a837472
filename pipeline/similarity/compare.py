"""The text two examples are compared on: normalised, made a chunk at a time, and hashed for exact equality."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl

from pipeline.records import answer_text, prompt_text
from pipeline.similarity.ngrams import CHUNK_ROWS, text_chunk, text_chunks
from pipeline.similarity.normal import normalise

KEY_THREADS = 2  # chunks text_keys normalises at once: dedup-exact runs while no worker does

REJECTED_MARK = "rejected_"  # a word character: normalising keeps it on the word


def compared_text(which: str) -> pl.Expr:
    """The text two examples are compared on.

    "prompt", "answer" and "both" (dedup, the split's groups) count a pair's rejected side too (same
    chosen, other rejected: another lesson, not a duplicate), with every rejected word marked so that it
    only ever matches rejected text: a pair's negative is often another example's chosen answer, and
    that is no duplicate of it. "taught" (leakage) is the prompt and the answer learnt: no rejected text.
    "seen" (decontamination) is every text a trainer reads, the rejected one as it is: a benchmark answer
    used as a negative has still been seen.
    """
    prompt, answer, rejected = (
        prompt_text().fill_null(""),
        answer_text().fill_null(""),
        pl.col("rejected").fill_null(""),
    )
    answers = pl.concat_str(answer, rejected.str.replace_all(r"(\w+)", REJECTED_MARK + "${1}"), separator="\n")
    text = {
        "prompt": prompt,
        "answer": answers,
        "both": pl.concat_str(prompt, answers, separator="\n"),
        "taught": pl.concat_str(prompt, answer, separator="\n"),
        "seen": pl.concat_str(prompt, answer, rejected, separator="\n"),
    }[which]
    return normalise(text)


class CompareTexts:
    """The compared text of each row of a frame, made a chunk or a few gathered rows at a time: at a million
    examples the whole column of normalised texts would take more memory than the examples themselves."""

    def __init__(self, frame: pl.DataFrame, which: str) -> None:
        self.frame, self.expr = frame, compared_text(which)

    def __len__(self) -> int:
        return self.frame.height

    def gather(self, rows: np.ndarray) -> pl.Series:
        rows_first = self.frame.select(pl.all().gather(pl.Series(rows, dtype=pl.UInt32)))  # not the whole column
        return rows_first.select(self.expr).to_series()

    def chunks(self) -> Iterator[tuple[int, pl.Series]]:
        return text_chunks(self.frame, self.expr)


def text_keys(examples: pl.DataFrame, which: str) -> pl.DataFrame:
    """Two independent 64-bit hashes of each compared text, chunk by chunk: equal texts, equal keys; two
    different texts share both with odds about 2**-128, so no text needs keeping to compare.

    Two chunks at a time, on two threads: normalising is nearly all the work and polars does it without the
    GIL, on one core per chunk, while the flow's other core had nothing to do (dedup-exact at 834,000
    examples: 2.6 -> 1.5 s, bench/RESULTS.md)."""
    expr = compared_text(which)

    def chunk_keys(offset: int) -> pl.DataFrame:
        texts = text_chunk(examples, expr, offset)
        return pl.DataFrame({"_key1": texts.hash(1), "_key2": texts.hash(2)})

    with ThreadPoolExecutor(max_workers=KEY_THREADS) as hashing:
        keys = list(hashing.map(chunk_keys, range(0, examples.height, CHUNK_ROWS)))
    return pl.concat([pl.DataFrame(schema={"_key1": pl.UInt64, "_key2": pl.UInt64}), *keys])
