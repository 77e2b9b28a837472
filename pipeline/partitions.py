"""Partitions of a global stage: what a stage body needs to run its work as tasks, wherever the backend runs them.

A global stage that declares `partitioned` in the registry (pipeline.stages) gets a `Mapper`: its work is
cut into row ranges of the examples written under OUT/stages/global/<stage>/ (shared storage, the same
assumption the shards make), a function is mapped over them by the backend (worker processes locally,
Prefect tasks on Dask workers), and what comes back is small: counts, candidate pairs, linked rows. A
shuffle (band hashes, 13-gram hashes) goes through `spill` and `gather`: each row range writes its keys
to hash partitions, and each hash partition is answered on its own, as every question asked of them only
compares equal keys; on this machine's workers (`Mapper.shuffles` false) the keys come back to the flow
instead, which answers them whole. The flow reduces the results in partition order, so outputs never depend
on how many partitions there were. With width 1 (one core, a small run) a body runs whole, in this process, as
it always did.
"""

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import numpy as np
import polars as pl

R = TypeVar("R")
Map = Callable[[str, Callable[[Any], Any], Sequence[Any]], list]
# Rows per partition at most: a worker holding one partition stays near the memory of one shard
# (docs/scaling.md has the measured cost per partition).
MAX_PARTITION_ROWS = 100_000


class RowPart(NamedTuple):
    """One row range of a frame, written to `path`: rows first_row .. first_row + rows - 1."""

    path: Path
    first_row: int
    rows: int
    number: int  # its place among the ranges, which names the files it spills


@dataclass(frozen=True)
class Mapper:
    """A stage's view of the backend: how many partitions, where to write them, and how to map over them."""

    name: str
    folder: Path
    width: int = 1  # partitions the backend runs at once; 1: run the stage whole, in this process
    run: Map | None = None
    # Whether a shuffle's keys go through hash partitions answered on the workers (a cluster: no one process
    # need hold every key), or come back to this process, which answers them as the whole-frame code does (this
    # machine: its workers share the flow's memory and disk, and the hash partitions' files and second round of
    # tasks are only extra work; dedup-near at 1M took 9.4 s shuffled and 7.3 s gathered, bench/RESULTS.md).
    shuffles: bool = True

    @property
    def whole(self) -> bool:
        return self.width <= 1 or self.run is None

    def map(self, function: Callable[[Any], R], items: Sequence[Any]) -> list[R]:
        """`function(item)` for every item, on the backend's workers; results in item order."""
        if self.run is None or len(items) <= 1:
            return [function(item) for item in items]
        return self.run(self.name, function, items)

    def lasting(self, tag: str) -> Path:
        """An empty folder for a spill a later stage of the run reads again (`Spill`): beside the stages' own
        folders, kept when this stage ends, and removed with them when the global stages end."""
        folder = self.folder.parent / "spills" / f"{self.name}-{tag}"
        shutil.rmtree(folder, ignore_errors=True)  # a killed run's files would join this run's partitions
        folder.mkdir(parents=True)
        return folder

    def write_rows(self, frame: pl.DataFrame, tag: str) -> list[RowPart]:
        """`frame` cut into `width` row ranges of nearly equal size, each an Arrow file under the stage's folder."""
        folder = self.folder / tag
        folder.mkdir(parents=True, exist_ok=True)
        parts, start = [], 0
        count = max(1, min(self.width, frame.height))
        for index in range(count):
            rows = frame.height // count + (index < frame.height % count)
            path = folder / f"rows-{index:05d}.arrow"
            frame.slice(start, rows).write_ipc(path)
            parts.append(RowPart(path, start, rows, index))
            start += rows
        return parts


@dataclass(frozen=True)
class Spill:
    """Keys of every row of a frame, spilled to hash partitions by one stage and left for a later one that asks
    the same rows for the same keys (the split's 13-grams, which leakage reads again). A reader checks that its
    frame is the one spilled, row for row (`holds`), and otherwise makes its own."""

    folder: Path
    parts: int
    what: str  # the keys, in words (similarity.partitioned.grams_of: "13-grams of the both text")
    rows: int
    fingerprint: int

    def holds(self, frame: pl.DataFrame) -> bool:
        return self.folder.is_dir() and frame.height == self.rows and fingerprint(frame) == self.fingerprint


def fingerprint(frame: pl.DataFrame) -> int:
    """A hash of the `id` column that changes when a row is added, dropped or moved."""
    hashes = frame["id"].hash(1).to_numpy()
    return int(np.bitwise_xor.reduce(hashes * np.arange(1, 2 * len(hashes), 2, dtype=np.uint64), initial=0))


IN_PROCESS = Mapper("in-process", Path("."))  # bodies called outside the executor (tests, notebooks)


def read_rows(part: RowPart) -> pl.DataFrame:
    return pl.read_ipc(part.path)


def spill(frame: pl.DataFrame, key: str, parts: int, folder: Path, tag: str) -> None:
    """Write `frame` to `parts` hash partitions of column `key` (uint64) as folder/pNNNNN-TAG.arrow; tags sort
    in row order, so `gather` reads a partition's rows in row order."""
    folder.mkdir(parents=True, exist_ok=True)
    split = frame.with_columns(_part=(pl.col(key) % parts).cast(pl.UInt32))
    for (part,), rows in split.partition_by("_part", as_dict=True).items():
        rows.drop("_part").write_ipc(folder / f"p{part:05d}-{tag}.arrow")


def gather(folder: Path, part: int, schema: pl.Schema) -> pl.DataFrame:
    """Every row spilled to hash partition `part`, from every row range, in row-range order."""
    files = sorted(folder.glob(f"p{part:05d}-*.arrow"))
    return pl.concat([pl.DataFrame(schema=schema), *(pl.read_ipc(path) for path in files)])
