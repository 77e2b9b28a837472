"""Word 13-gram hashes of many texts in bounded memory: for split joining, leakage and decontamination.

A text's word n-grams become 64-bit rolling hashes (words hashed by polars, combined with numpy's
wrapping arithmetic, so no n-gram string is ever built). A million examples hold about a hundred
million n-grams, more than a laptop should keep at once with their owners, so texts are hashed a
chunk at a time and, above PARTITION_ROWS texts, the (row, gram) pairs are spilled to temporary
files partitioned by gram hash. Every question asked of them (which grams several groups share,
which held-out grams occur in train) only compares equal grams, so it is answered one partition at
a time, and memory follows one partition rather than the corpus.
"""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import polars as pl

from pipeline.similarity.normal import words

NGRAM = 13
MULTIPLIER = 0x100000001B3  # the FNV-1a 64-bit prime: an odd multiplier mixes well modulo 2**64
CHUNK_ROWS = 50_000  # texts hashed at a time
PARTITION_ROWS = 100_000  # texts per partition (about ten million n-grams) before grams spill to disk
GRAMS = pl.Schema({"row": pl.UInt32, "gram": pl.UInt64})


def gram_hashes(texts: pl.Series, n: int = NGRAM, first_row: int = 0) -> pl.DataFrame:
    """(row, gram) for every distinct word n-gram of every text (row = first_row + position), in no set order;
    texts shorter than n words give none."""
    rows = pl.DataFrame({"text": texts}).with_row_index("row", offset=first_row)
    found = rows.select("row", word=words(pl.col("text"))).explode("word").drop_nulls("word")
    gram, owner = rolling_grams(found["word"].hash(NGRAM).to_numpy(), found["row"].to_numpy(), n)
    grams = pl.DataFrame({"row": owner, "gram": gram}, schema=GRAMS)
    # An n-gram twice in one text is rare, and a distinct count of one mixed column finds whether there is one
    # eight times faster than making the pairs unique: equal (row, gram) pairs have equal keys.
    with np.errstate(over="ignore"):
        keys = pl.Series(gram ^ (owner.astype(np.uint64) * np.uint64(MULTIPLIER)))
    return grams if keys.n_unique() == len(keys) else grams.unique()


def rolling_grams(hashes: np.ndarray, owner: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(gram, owner) for every run of n consecutive word hashes of one text, in order; numpy's wrapping
    uint64 arithmetic combines them, so no n-gram string is ever built."""
    if n == 1 or len(hashes) < n:
        return (hashes, owner) if n == 1 else (hashes[:0], owner[:0])
    span = len(hashes) - n + 1
    gram = np.zeros(span, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(n):
            gram = gram * np.uint64(MULTIPLIER) + hashes[offset : offset + span]
    whole = owner[:span] == owner[n - 1 :]  # the n words belong to one text
    return gram[whole], owner[:span][whole]


class GramStore:
    """(row, gram, ...) frames gathered chunk by chunk, read back one hash partition at a time."""

    def __init__(self, partitions: int, folder: Path | None) -> None:
        self.partitions = partitions
        self.folder = folder
        self.held: list[pl.DataFrame] = []  # one partition: kept in memory
        self.count = 0

    def add(self, grams: pl.DataFrame) -> None:
        if self.folder is None:
            self.held.append(grams)
            return
        parts = grams.with_columns(_part=(pl.col("gram") % self.partitions).cast(pl.UInt32))
        for (part,), frame in parts.partition_by("_part", as_dict=True).items():
            frame.drop("_part").write_ipc(self.folder / f"p{part:04d}-{self.count:06d}.arrow")
        self.count += 1

    def parts(self, schema: pl.Schema) -> Iterator[pl.DataFrame]:
        """Each partition's rows together: equal grams are always in the same partition."""
        if self.folder is None:
            yield pl.concat([pl.DataFrame(schema=schema), *self.held])
            return
        for part in range(self.partitions):
            files = sorted(self.folder.glob(f"p{part:04d}-*.arrow"))
            frames = [pl.read_ipc(path) for path in files]
            yield pl.concat([pl.DataFrame(schema=schema), *frames])
            for path in files:
                path.unlink()


@contextmanager
def gram_store(rows: int) -> Iterator[GramStore]:
    """A store sized for `rows` texts: in memory up to PARTITION_ROWS, else in partition files under a
    temporary folder (removed on exit, also when a stage fails)."""
    partitions = -(-rows // PARTITION_ROWS)
    if partitions <= 1:
        yield GramStore(1, None)
        return
    with tempfile.TemporaryDirectory(prefix="ftprep-ngrams-") as folder:
        yield GramStore(partitions, Path(folder))


def text_chunks(frame: pl.DataFrame, text: pl.Expr, rows: int = CHUNK_ROWS) -> Iterator[tuple[int, pl.Series]]:
    """(first row, texts) of `frame` a chunk at a time, so a derived text column never exists whole."""
    for offset in range(0, frame.height, rows):
        yield offset, text_chunk(frame, text, offset, rows)


def text_chunk(frame: pl.DataFrame, text: pl.Expr, offset: int, rows: int = CHUNK_ROWS) -> pl.Series:
    """The derived text of `rows` rows of `frame` from `offset`: one of `text_chunks`, made wherever it is asked."""
    return frame.slice(offset, rows).select(text.alias("text")).to_series()


def shared_with(held: pl.DataFrame, train: pl.DataFrame, text: pl.Expr, n: int = NGRAM) -> pl.DataFrame:
    """(row of `held`, shared): held-out rows whose text shares at least one word n-gram with any `train`
    row's text, with how many distinct n-grams they share."""
    counts = [pl.DataFrame(schema={"row": pl.UInt32, "shared": pl.UInt32})]
    if held.height and train.height:
        with gram_store(held.height + train.height) as store:
            for side, frame in ((True, held), (False, train)):
                for offset, texts in text_chunks(frame, text):
                    store.add(gram_hashes(texts, n, offset).with_columns(held=pl.lit(side)))
            for part in store.parts(pl.Schema({**GRAMS, "held": pl.Boolean()})):
                train_grams = part.filter(~pl.col("held")).select("gram").unique()
                found = part.filter("held").join(train_grams, on="gram", how="semi")
                counts.append(found.group_by("row").agg(shared=pl.len().cast(pl.UInt32)))
    return pl.concat(counts).group_by("row").agg(pl.col("shared").sum()).sort("row")
