"""The cross-example questions of dedup, the split and leakage as two maps and a reduce over partitions.

Each question only ever compares equal keys (a band hash, a 13-gram hash), so it is a shuffle: the first
map turns each row range of the examples (pipeline.partitions.Mapper.write_rows) into keys and spills them
to hash partitions; the second answers each hash partition on its own; the flow concatenates the small
answers (candidate pairs, linked rows, shared counts) and finishes as the whole-frame code does. The
answers are the same sets as lsh.text_candidates, split.shared_passages and ngrams.shared_with give over
the whole frame, and every consumer of them is independent of their order, so outputs do not change.
Verifying candidates (exact Jaccard) and connected components stay in the flow: they need the candidates
of every partition at once, and are a small share of the time. Band hashes are compact (bands x 8 bytes a
row), so under a mapper that does not shuffle (this machine's workers) they come back to the flow, which
pairs them with lsh.band_pairs, and the second map and its files are skipped.
"""

from collections.abc import Iterator
from functools import partial
from pathlib import Path

import numpy as np
import polars as pl

from pipeline.config import DedupConfig
from pipeline.partitions import Mapper, RowPart, gather, read_rows, spill
from pipeline.similarity.compare import compared_text
from pipeline.similarity.lsh import band_pairs, bucket_pairs, stacked, text_band_hashes
from pipeline.similarity.ngrams import NGRAM, gram_hashes, text_chunks

COMPARED = ("messages", "kind", "chosen", "rejected")  # the columns compared_text reads
BANDS = pl.Schema({"row": pl.Int64, "band": pl.UInt16, "hash": pl.UInt64})
PAIRS = pl.Schema({"a": pl.Int64, "b": pl.Int64})
BASE_GRAMS = pl.Schema({"row": pl.UInt32, "gram": pl.UInt64, "base": pl.UInt32})
SIDE_GRAMS = pl.Schema({"row": pl.UInt32, "gram": pl.UInt64, "held": pl.Boolean})
# Texts hashed at a time on a worker: two workers run beside the flow's process, so their scratch (about
# 10 KB per text for 13-grams) is kept to a tenth of the flow's own CHUNK_ROWS.
WORKER_CHUNK_ROWS = 10_000


def candidates_over(frame: pl.DataFrame, which: str, cfg: DedupConfig, mapper: Mapper, tag: str) -> pl.DataFrame:
    """lsh.text_candidates(CompareTexts(frame, which), cfg), as band hashes per row range then pairs per hash
    partition; or, when the mapper does not shuffle, the row ranges' band hashes paired here."""
    parts = mapper.write_rows(frame.select(COMPARED), f"{tag}-texts")
    if not mapper.shuffles:
        folded = mapper.map(partial(row_band_hashes, which=which, cfg=cfg), parts)
        return band_pairs(stacked(folded, cfg))
    folder = mapper.folder / f"{tag}-bands"
    mapper.map(partial(spill_band_hashes, which=which, cfg=cfg, parts=len(parts), folder=folder), parts)
    pairs = mapper.map(partial(band_partition_pairs, folder=folder), list(range(len(parts))))
    return pl.concat([pl.DataFrame(schema=PAIRS), *pairs]).unique().sort("a", "b")


def row_band_hashes(part: RowPart, which: str, cfg: DedupConfig) -> np.ndarray:
    """On a worker: the band hashes of one row range, (rows, bands) in row order."""
    return stacked([bands for _, bands in chunk_bands(part, which, cfg)], cfg)


def chunk_bands(part: RowPart, which: str, cfg: DedupConfig) -> Iterator[tuple[int, np.ndarray]]:
    """The band hashes of one row range a chunk of texts at a time: (offset in the range, (rows, bands))."""
    frame = read_rows(part)
    for offset, chunk in text_chunks(frame, compared_text(which), WORKER_CHUNK_ROWS):
        yield offset, text_band_hashes(chunk, cfg)


def spill_band_hashes(part: RowPart, which: str, cfg: DedupConfig, parts: int, folder: Path) -> None:
    """On a worker: the band hashes of one row range, as (row, band, hash) spilled by hash."""
    for offset, folded in chunk_bands(part, which, cfg):
        rows = np.arange(part.first_row + offset, part.first_row + offset + len(folded), dtype=np.int64)
        long = pl.DataFrame(
            {
                "row": np.repeat(rows, cfg.bands),
                "band": np.tile(np.arange(cfg.bands, dtype=np.uint16), len(rows)),
                "hash": folded.ravel(),
            },
            schema=BANDS,
        )
        spill(long, "hash", parts, folder, f"{part.number:05d}-{offset:09d}")


def band_partition_pairs(index: int, folder: Path) -> pl.DataFrame:
    """On a worker: candidate pairs of the buckets (band, hash) whose hash falls in partition `index`."""
    bands = gather(folder, index, BANDS)
    buckets = bands.group_by("band", "hash").agg("row").filter(pl.col("row").list.len() > 1).select("row")
    return bucket_pairs(buckets) if buckets.height else pl.DataFrame(schema=PAIRS)


def passages_over(examples: pl.DataFrame, base: pl.Series, mapper: Mapper, most: int) -> pl.DataFrame:
    """(row, gram) of the rows holding a 13-word passage found in 2 to `most` base groups (split.shared_passages)."""
    frame = examples.select(COMPARED).with_columns(_base=base.cast(pl.UInt32))
    parts = mapper.write_rows(frame, "passages-texts")
    folder = mapper.folder / "passages-grams"
    mapper.map(partial(spill_grams, which="both", parts=len(parts), folder=folder), parts)
    linked = mapper.map(partial(linked_grams, folder=folder, most=most), list(range(len(parts))))
    return pl.concat([pl.DataFrame(schema={"row": pl.UInt32, "gram": pl.UInt64}), *linked])


def spill_grams(part: RowPart, which: str, parts: int, folder: Path, n: int = NGRAM) -> None:
    """On a worker: the distinct word n-grams of each text of one row range, with the row's `_base` or `_held`
    column, spilled by gram hash."""
    frame = read_rows(part)
    extra = next(column for column in ("_base", "_held") if column in frame.columns)
    for offset, texts in text_chunks(frame, compared_text(which), WORKER_CHUNK_ROWS):
        grams = gram_hashes(texts, n, part.first_row + offset)
        grams = grams.with_columns(frame[extra].gather(grams["row"] - part.first_row).alias(extra.lstrip("_")))
        spill(grams, "gram", parts, folder, f"{part.number:05d}-{offset:09d}")


def linked_grams(index: int, folder: Path, most: int) -> pl.DataFrame:
    """On a worker: (row, gram) of the grams of partition `index` found in 2 to `most` base groups."""
    grams = gather(folder, index, BASE_GRAMS)
    return grams.filter(pl.col("base").n_unique().over("gram").is_between(2, most)).select("row", "gram")


def shared_over(held: pl.DataFrame, train: pl.DataFrame, mapper: Mapper, tag: str, n: int = NGRAM) -> pl.DataFrame:
    """(row of `held`, shared) as ngrams.shared_with gives it for the "taught" text: held-out rows sharing a
    word n-gram with any train row, and how many distinct n-grams they share."""
    counts = [pl.DataFrame(schema={"row": pl.UInt32, "shared": pl.UInt32})]
    if held.height and train.height:
        sides = [
            held.select(COMPARED).with_columns(_held=pl.lit(True)),
            train.select(COMPARED).with_columns(_held=pl.lit(False)),
        ]
        parts = mapper.write_rows(pl.concat(sides), f"{tag}-texts")
        folder = mapper.folder / f"{tag}-grams"
        mapper.map(partial(spill_grams, which="taught", parts=len(parts), folder=folder, n=n), parts)
        counts += mapper.map(partial(held_counts, folder=folder), list(range(len(parts))))
    return pl.concat(counts).group_by("row").agg(pl.col("shared").sum()).sort("row")


def held_counts(index: int, folder: Path) -> pl.DataFrame:
    """On a worker: per held-out row, the distinct n-grams of partition `index` it shares with train."""
    grams = gather(folder, index, SIDE_GRAMS)
    train_grams = grams.filter(~pl.col("held")).select("gram").unique()
    found = grams.filter("held").join(train_grams, on="gram", how="semi")
    return found.group_by("row").agg(shared=pl.len().cast(pl.UInt32))
