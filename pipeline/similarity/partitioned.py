"""The cross-example questions of dedup, the split and leakage as two maps and a reduce over partitions.

Each question only ever compares equal keys (a band hash, a 13-gram hash), so it is a shuffle: the first
map turns each row range of the examples (pipeline.partitions.Mapper.write_rows) into keys and spills them
to hash partitions; the second answers each hash partition on its own; the flow concatenates the small
answers (candidate pairs, linked rows, shared counts) and finishes as the whole-frame code does. The
answers are the same sets as lsh.text_candidates, split.shared_passages and ngrams.shared_with give over
the whole frame, and every consumer of them is independent of their order, so outputs do not change.
Verifying candidates (exact Jaccard) and connected components stay in the flow: they need the candidates
of every partition at once, and are a small share of the time. The split's 13-gram spill outlives its stage
(`pipeline.partitions.Spill`): leakage asks the same rows for the same 13-grams, and answers from it with
one map instead of two (at a million examples its n-grams took 3.5 s of its 5.6). Band hashes are compact
(bands x 8 bytes a row), so under a mapper that does not shuffle (this machine's workers) they come back to
the flow, which pairs them with lsh.band_pairs, and the second map and its files are skipped.
"""

from collections.abc import Iterator
from functools import partial
from pathlib import Path

import numpy as np
import polars as pl

from pipeline.config import DedupConfig
from pipeline.partitions import Mapper, RowPart, Spill, fingerprint, gather, read_rows, spill
from pipeline.similarity.compare import compared_text
from pipeline.similarity.lsh import band_pairs, bucket_pairs, stacked, text_band_hashes
from pipeline.similarity.ngrams import GRAMS, NGRAM, gram_hashes, text_chunks

COMPARED = ("messages", "kind", "chosen", "rejected")  # the columns compared_text reads
BANDS = pl.Schema({"row": pl.Int64, "band": pl.UInt16, "hash": pl.UInt64})
PAIRS = pl.Schema({"a": pl.Int64, "b": pl.Int64})
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


def spill_texts(frame: pl.DataFrame, which: str, mapper: Mapper, folder: Path) -> Spill:
    """The distinct word 13-grams of each row's compared text, spilled by gram hash to `folder` on the workers."""
    parts = mapper.write_rows(frame.select(COMPARED), f"{folder.name}-texts")
    mapper.map(partial(spill_grams, which=which, parts=len(parts), folder=folder), parts)
    return Spill(folder, len(parts), grams_of(which), frame.height, fingerprint(frame))


def grams_of(which: str) -> str:
    """`Spill.what` of `spill_texts` over the `which` text."""
    return f"13-grams of the {which} text"


def passages_over(
    examples: pl.DataFrame, base: pl.Series, mapper: Mapper, most: int, spilled: Spill | None = None
) -> pl.DataFrame:
    """(row, gram) of the rows holding a 13-word passage found in 2 to `most` base groups (split.shared_passages),
    from the 13-grams of the "both" text already `spilled` (`spill_texts`), or spilled here."""
    spilled = spilled or spill_texts(examples, "both", mapper, mapper.folder / "passages-grams")
    bases = mapper.folder / "passages-bases.arrow"
    mapper.folder.mkdir(parents=True, exist_ok=True)
    base.cast(pl.UInt32).to_frame("base").write_ipc(bases)
    linking = partial(linked_grams, folder=spilled.folder, bases=bases, most=most)
    linked = mapper.map(linking, list(range(spilled.parts)))
    return pl.concat([pl.DataFrame(schema={"row": pl.UInt32, "gram": pl.UInt64}), *linked])


def spill_grams(part: RowPart, which: str, parts: int, folder: Path) -> None:
    """On a worker: the distinct word 13-grams of each text of one row range, spilled by gram hash."""
    frame = read_rows(part)
    for offset, texts in text_chunks(frame, compared_text(which), WORKER_CHUNK_ROWS):
        spill(
            gram_hashes(texts, NGRAM, part.first_row + offset), "gram", parts, folder, f"{part.number:05d}-{offset:09d}"
        )


def with_row_column(grams: pl.DataFrame, values: Path, name: str) -> pl.DataFrame:
    """`grams` with each row's value of the one-column file `values` (a value per row of the spilled frame)."""
    return grams.with_columns(pl.read_ipc(values).to_series().gather(grams["row"]).alias(name))


def linked_grams(index: int, folder: Path, bases: Path, most: int) -> pl.DataFrame:
    """On a worker: (row, gram) of the grams of partition `index` found in 2 to `most` base groups."""
    grams = with_row_column(gather(folder, index, GRAMS), bases, "base")
    return grams.filter(pl.col("base").n_unique().over("gram").is_between(2, most)).select("row", "gram")


def shared_over(held: pl.DataFrame, train: pl.DataFrame, mapper: Mapper, tag: str) -> pl.DataFrame:
    """(row of `held`, shared) as ngrams.shared_with gives it for the "taught" text: held-out rows sharing a
    word 13-gram with any train row, and how many distinct 13-grams they share."""
    if not (held.height and train.height):
        return pl.DataFrame(schema={"row": pl.UInt32, "shared": pl.UInt32})
    both = pl.concat([held.select("id", *COMPARED), train.select("id", *COMPARED)])
    spilled = spill_texts(both, "taught", mapper, mapper.folder / f"{tag}-grams")
    return shared_in_spill(spilled, pl.select(pl.int_range(both.height) < held.height).to_series(), mapper)


def held_counts(index: int, folder: Path, sides: Path) -> pl.DataFrame:
    """On a worker: per held-out row, the distinct 13-grams of partition `index` it shares with train; the file
    `sides` says which rows are held out."""
    grams = with_row_column(gather(folder, index, GRAMS), sides, "held")
    train_grams = grams.filter(~pl.col("held")).select("gram").unique()
    found = grams.filter("held").join(train_grams, on="gram", how="semi")
    return found.group_by("row").agg(shared=pl.len().cast(pl.UInt32))


def shared_in_spill(spilled: Spill, held: pl.Series, mapper: Mapper) -> pl.DataFrame:
    """(row, shared) for every row `held` marks that shares a 13-gram with a row it does not mark, from the
    13-grams `spilled` of these very rows (`Spill.holds`). shared_over spills them for the purpose; leakage
    reads the split's spill of the "both" text, whose words are the "taught" text's for a row with no
    rejected text (it checks that no row has one)."""
    sides = mapper.folder / f"{spilled.folder.name}-held.arrow"
    mapper.folder.mkdir(parents=True, exist_ok=True)
    held.alias("held").to_frame().write_ipc(sides)
    counts = mapper.map(partial(held_counts, folder=spilled.folder, sides=sides), list(range(spilled.parts)))
    empty = pl.DataFrame(schema={"row": pl.UInt32, "shared": pl.UInt32})
    return pl.concat([empty, *counts]).group_by("row").agg(pl.col("shared").sum()).sort("row")
