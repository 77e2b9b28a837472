"""Sharded, resumable prepare runs: input files in shards, per-shard stages saved as parquet under OUT/stages/.

The stages that look at one document at a time (ingest, sections, generate, check-format, quality) run
per shard; their results are written to `OUT/stages/shard-NNNNN-KEY/` and a `shard.json` written last
marks the shard done. KEY hashes the shard's inputs (file names and contents, dataset_info mappings)
with the settings those stages read, so a rerun (after a kill, or with only dedup settings changed)
skips every shard that is already done. The rest of `run.STAGES` (dedup must see every example) runs
over the concatenated shards. Outputs are byte-identical to `run.prepare_locally` whatever the shard
size, because every output is sorted on write and no global stage depends on row order.

`prepare_in_shards` runs it all in this process; `flows/prepare.py` submits `prepare_shard` as
Prefect tasks instead, so threads or a Dask cluster run the shards.
"""

import hashlib
import json
import logging
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipeline import __version__
from pipeline.config import PrepareConfig
from pipeline.ingest import Importing, absolute, find_mappings, input_files, read_files
from pipeline.ingest.files import SourceFile
from pipeline.ingest.llama_factory import Mapping
from pipeline.io import write_json, write_parquet
from pipeline.records import DOCUMENT, EXAMPLE, REJECTED, SECTION, concat_rejects
from pipeline.run import STAGES, RunState, merge_usage, preflight, write_outputs

log = logging.getLogger(__name__)

# Stages that only ever look at one document at a time; ingest is done per shard by `ingest_shard`.
PER_SHARD = ("ingest", "sections", "generate", "check-format", "quality")
SHARD_STAGES = [stage for stage in STAGES if stage.name in PER_SHARD and stage.name != "ingest"]
GLOBAL_STAGES = [stage for stage in STAGES if stage.name not in PER_SHARD]
FRAMES = {"documents": DOCUMENT, "sections": SECTION, "examples": EXAMPLE, "rejected": REJECTED}
DONE = "shard.json"

Progress = Callable[[str, int, int], None]  # (what, done, total): the CLI's progress bars listen to it


@dataclass(frozen=True)
class Shard:
    """One task's worth of inputs: plain paths and names, so it pickles small and hashes nothing heavy."""

    index: int
    files: tuple[SourceFile, ...]
    mappings: tuple[tuple[Path, Mapping], ...]  # dataset_info.json mappings of files in this shard, by absolute path
    key: str  # sha256 of the inputs and the per-shard settings
    folder: Path  # OUT/stages/shard-NNNNN-KEY

    @property
    def done(self) -> bool:
        return (self.folder / DONE).is_file()


@dataclass(frozen=True)
class ShardPlan:
    shards: tuple[Shard, ...]
    rejected: tuple[dict, ...]  # rejects found while planning (unreadable dataset_info.json files)

    @property
    def pending(self) -> list[Shard]:
        return [shard for shard in self.shards if not shard.done]


def shard_settings(cfg: PrepareConfig) -> str:
    """Hash of every setting the per-shard stages read; dedup, tokens, split and export settings are left out."""
    settings = cfg.model_dump(
        mode="json",
        include={"kind": True, "target": True, "model": True, "generate": True, "llm": True, "preference": True,
                 "quality": True, "ingest": True},
        exclude={"ingest": {"shard_size"}},
    )  # fmt: skip
    payload = json.dumps({"ftprep": __version__, "settings": settings}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block; ingest rejects it as not_a_file
            return f"not a regular file: mode {info.st_mode:o}"
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as error:  # ingest rejects it as unreadable; the reason is part of the key
        return f"unreadable: {error.strerror or error}"
    return digest.hexdigest()


def shards_of(cfg: PrepareConfig) -> int:
    """Files per shard: `ingest.shard_size`, or everything in one when a stage spans the whole input."""
    spans_input = cfg.kind == "preference" or cfg.llm.enabled
    return 1 << 62 if spans_input else cfg.ingest.shard_size


def plan_shards(cfg: PrepareConfig) -> ShardPlan:
    """Split the run's input files into shards in discovery order and key each by its inputs and settings."""
    mappings, rejected = find_mappings(cfg.sources)
    files = [SourceFile(source.path.absolute(), source.name) for source in input_files(cfg.sources, cfg.ingest)]
    size, settings = shards_of(cfg), shard_settings(cfg)
    stages = Path(cfg.out).absolute() / "stages"
    shards = []
    for index, start in enumerate(range(0, len(files), size)):
        chunk = tuple(files[start : start + size])
        described = [(f, mappings[absolute(f.path)]) for f in chunk if absolute(f.path) in mappings]
        mapped = tuple((absolute(f.path), mapping) for f, mapping in described)
        inputs = [(f.name, file_digest(f.path)) for f in chunk] + [(f.name, vars(m)) for f, m in described]
        key = hashlib.sha256(json.dumps([settings, inputs], sort_keys=True).encode()).hexdigest()
        shards.append(Shard(index, chunk, mapped, key, stages / f"shard-{index:05d}-{key[:16]}"))
    return ShardPlan(tuple(shards), tuple(rejected))


def ingest_shard(shard: Shard, cfg: PrepareConfig) -> RunState:
    ingested = read_files(list(shard.files), cfg.ingest, dict(shard.mappings), Importing(cfg.kind, cfg.preference))
    return RunState(ingested.documents, RunState.start().sections, ingested.examples, ingested.rejected)


def prepare_shard(shard: Shard, cfg: PrepareConfig) -> str:
    """Run the per-shard stages over one shard and save the result; a shard already done is left as it is."""
    if shard.done:
        return str(shard.folder)
    shutil.rmtree(shard.folder, ignore_errors=True)  # leftovers of a killed attempt
    state = ingest_shard(shard, cfg)
    for stage in SHARD_STAGES:
        state = stage.apply(state, cfg)
    counts = {}
    for name in FRAMES:
        frame = getattr(state, name)
        write_parquet(shard.folder / f"{name}.parquet", frame)
        counts[name] = frame.height
    files = [source.name for source in shard.files]
    write_json(shard.folder / DONE, {"key": shard.key, "files": files, "rows": counts, "llm_usage": state.llm_usage})
    return str(shard.folder)


# Columns the global stages and the report never read: the documents' and sections' text, about as large as
# the examples. They stay in the shard files and are left null in the merged state.
LEFT_ON_DISK = {"documents": ("text",), "sections": ("body",)}


def merge_shards(plan: ShardPlan) -> RunState:
    """One RunState over every shard's saved results, in plan order, ready for the global stages; the
    documents and sections come without their text (LEFT_ON_DISK)."""
    frames: dict[str, list[pl.DataFrame]] = {name: [] for name in FRAMES}
    usage = None
    for shard in plan.shards:
        for name in FRAMES:
            frames[name].append(read_without(shard.folder / f"{name}.parquet", LEFT_ON_DISK.get(name, ())))
        shard_usage = json.loads((shard.folder / DONE).read_text(encoding="utf-8"))["llm_usage"]
        usage = merge_usage(usage, shard_usage) if shard_usage else usage
    merged = {name: stack(frames[name], schema) for name, schema in FRAMES.items() if name != "rejected"}
    rejected = concat_rejects([pl.DataFrame(list(plan.rejected), schema=REJECTED), *frames["rejected"]])
    return RunState(merged["documents"], merged["sections"], merged["examples"], rejected, usage)


def read_without(path: Path, left_out: tuple[str, ...]) -> pl.DataFrame:
    frame = pl.scan_parquet(path)
    kept = [name for name in frame.collect_schema().names() if name not in left_out]
    return frame.select(kept).with_columns(pl.lit(None, pl.String).alias(name) for name in left_out).collect()


def stack(frames: list[pl.DataFrame], schema: pl.Schema) -> pl.DataFrame:
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame(schema=schema)


def prune_stale(plan: ShardPlan, out: str) -> None:
    """Remove shard folders of earlier inputs or settings, so OUT/stages holds this run's shards only."""
    current = {shard.folder.name for shard in plan.shards}
    for folder in (Path(out) / "stages").glob("shard-*"):
        if folder.name not in current:
            shutil.rmtree(folder, ignore_errors=True)


def prepare_in_shards(cfg: PrepareConfig, progress: Progress | None = None) -> dict:
    """A whole sharded run in this process (`ftprep prepare --runner local`); returns report.json's content."""
    notify = progress or (lambda what, done, total: None)
    preflight(cfg)
    plan = plan_shards(cfg)
    pending = plan.pending
    log.info("%d shards, %d already done", len(plan.shards), len(plan.shards) - len(pending))
    done = len(plan.shards) - len(pending)
    notify("shards", done, len(plan.shards))
    for shard in pending:
        prepare_shard(shard, cfg)
        done += 1
        notify("shards", done, len(plan.shards))
    state = merge_shards(plan)
    for number, stage in enumerate(GLOBAL_STAGES):
        notify(stage.name, number, len(GLOBAL_STAGES) + 1)
        state = stage.apply(state, cfg)
    notify("write-outputs", len(GLOBAL_STAGES), len(GLOBAL_STAGES) + 1)
    report = write_outputs(state, cfg)
    notify("write-outputs", len(GLOBAL_STAGES) + 1, len(GLOBAL_STAGES) + 1)
    prune_stale(plan, cfg.out)
    return report
