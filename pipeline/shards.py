"""Shards: input files in groups whose shard stages run on their own and are saved under OUT/stages/.

The registry's shard stages (pipeline.stages) run over one shard at a time; their results are written
to `OUT/stages/shard-NNNNN-KEY/` and a `shard.json` written last marks the shard done. KEY hashes the
shard's inputs (file names and contents, dataset_info mappings) with exactly the config fields the
shard stages declare they read, so a rerun (after a kill, or with only global settings changed) skips
every shard that is already done. Outputs do not depend on the shard size, because every output is
sorted on write and no global stage depends on row order. pipeline.executor decides when, and its
backend where, each shard runs.
"""

import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from pipeline import __version__
from pipeline.apply import apply_stage, runs
from pipeline.config import PrepareConfig
from pipeline.ingest import absolute, describes_inputs, find_mappings
from pipeline.ingest.files import SourceFile, discover_files
from pipeline.ingest.llama_factory import Mapping
from pipeline.io import Facts, describe_file, file_facts, write_json, write_parquet
from pipeline.records import DOCUMENT, EXAMPLE, REJECTED, SECTION, concat_rejects
from pipeline.stages import PLANNING_STEP, SHARD_READS, SHARD_STAGES
from pipeline.state import Inputs, RunState, merge_usage

FRAMES = {"documents": DOCUMENT, "sections": SECTION, "examples": EXAMPLE, "rejected": REJECTED}
DONE = "shard.json"


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
    described: tuple[dict, ...] = ()  # manifest.json's entry of every file found, dataset_info.json files too


def shard_settings(cfg: PrepareConfig) -> str:
    """Hash of every config field a shard stage reads (pipeline.stages.SHARD_READS), and nothing else.

    The shard size is left out: it changes which files share a shard, which the file list in the key
    already tells.
    """
    settings = cfg.model_dump(mode="json", include=set(SHARD_READS), exclude={"ingest": {"shard_size"}})
    payload = json.dumps({"ftprep": __version__, "settings": settings}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def file_digest(facts: Facts) -> str:
    """What a shard's key holds of one file: its sha256, or why it has none (ingest rejects it for that)."""
    if isinstance(facts, OSError):
        return f"unreadable: {facts.strerror or facts}"
    info, digest = facts
    return digest or f"not a regular file: mode {info.st_mode:o}"


def shards_of(cfg: PrepareConfig) -> int:
    """Files per shard at most: `ingest.shard_size`, or everything in one when a running shard stage needs the
    whole input."""
    spans_input = any(stage.whole_input and runs(stage, cfg) for stage in SHARD_STAGES)
    return 1 << 62 if spans_input else cfg.ingest.shard_size


def even_size(files: int, most: int) -> int:
    """Files per shard: as few shards as `most` files each allow, cut evenly (1,200 files at most 1,000 a shard are
    two of 600, not 1,000 and 200, which would leave one worker waiting on the other)."""
    shards = -(-files // most)
    return -(-files // shards) if shards else most


def plan_shards(cfg: PrepareConfig, expect: Callable[[int], None] = lambda shards: None) -> ShardPlan:
    """Split the run's input files into shards in discovery order and key each by its inputs and settings.

    `expect` hears how many shards there will be once the files are found, before they are read (hashed)."""
    planning = ShardPlanning(cfg, expect)
    for _ in planning:
        pass
    return planning.plan


class ShardPlanning:
    """plan_shards as it goes: iterating yields each shard as soon as its own files are read and its key is
    known, so a backend can run it while planning reads the rest (at 100,000 inputs the reading takes seconds
    that a worker would otherwise wait); `plan` is the whole plan once the iteration has ended."""

    def __init__(self, cfg: PrepareConfig, expect: Callable[[int], None] = lambda shards: None) -> None:
        self.cfg, self.expect = cfg, expect
        self.planned: ShardPlan | None = None

    @property
    def plan(self) -> ShardPlan:
        if self.planned is None:
            raise RuntimeError("the shard plan is known only once every shard has been planned")
        return self.planned

    def __iter__(self) -> Iterator[Shard]:
        cfg = self.cfg
        mappings, rejected = find_mappings(cfg.sources)
        cwd = Path.cwd()  # Path.absolute() asks for it again for every file
        sources = list(discover_files(cfg.sources, cfg.ingest.exclude))
        size, settings = shards_of(cfg), shard_settings(cfg)
        inputs: list[SourceFile] = []
        listed: list[SourceFile] = []  # a dataset_info.json is listed in the manifest, not read as an input
        for source in sources:
            (listed if describes_inputs(source) else inputs).append(source)
        size = even_size(len(inputs), size)
        self.expect(-(-len(inputs) // size))
        stages = Path(cfg.out).absolute() / "stages"
        # Every file is found and read once: the shard keys and manifest.json's list of inputs share the digests.
        found: list[tuple[Path, Facts]] = []
        shards = []
        for index, start in enumerate(range(0, len(inputs), size)):
            chunk = inputs[start : start + size]
            found += [(source.path, file_facts(source.path)) for source in chunk]
            digests = [file_digest(facts) for _, facts in found[start:]]
            files = tuple(SourceFile(anchored(source.path, cwd), source.name) for source in chunk)
            mapped_here = [(f, mappings[where]) for f in files if mappings and (where := absolute(f.path)) in mappings]
            mapped = tuple((absolute(f.path), mapping) for f, mapping in mapped_here)
            keyed: list[tuple[str, str | dict]] = [(f.name, digest) for f, digest in zip(files, digests, strict=True)]
            keyed += [(f.name, vars(m)) for f, m in mapped_here]
            key = hashlib.sha256(json.dumps([settings, keyed], sort_keys=True).encode()).hexdigest()
            shards.append(Shard(index, files, mapped, key, stages / f"shard-{index:05d}-{key[:16]}"))
            yield shards[-1]
        found += [(source.path, file_facts(source.path)) for source in listed]
        by_path = sorted(found, key=lambda pair: pair[0])
        described = tuple(describe_file(path, cwd, facts) for path, facts in by_path)
        self.planned = ShardPlan(tuple(shards), tuple(rejected), described)


def anchored(path: Path, cwd: Path) -> Path:
    """`cwd / path`: the path itself when it is absolute (pathlib would parse it again, at every one of 100,000
    files)."""
    return path if path.is_absolute() else cwd / path


def prepare_shard(shard: Shard, cfg: PrepareConfig) -> str:
    """Run the shard stages over one shard and save the result; a shard already done is left as it is."""
    if shard.done:
        return str(shard.folder)
    shutil.rmtree(shard.folder, ignore_errors=True)  # leftovers of a killed attempt
    state = RunState.start(Inputs(shard.files, shard.mappings))
    for stage in SHARD_STAGES:
        if runs(stage, cfg):
            state = apply_stage(stage, state, cfg)
    counts = {}
    for name in FRAMES:
        frame = getattr(state, name)
        # Only merge_shards reads these back, whole: lz4 without statistics writes them in half zstd's time.
        written = frame.drop(NOT_WRITTEN.get(name, ()))
        write_parquet(shard.folder / f"{name}.parquet", written, compression="lz4", statistics=False)
        counts[name] = frame.height
    files = [source.name for source in shard.files]
    write_json(shard.folder / DONE, {"key": shard.key, "files": files, "rows": counts, "llm_usage": state.llm_usage})
    return str(shard.folder)


# Columns the global stages and the report never read: the documents' and sections' text, about as large as
# the examples. Shard files leave them out (shards an earlier version wrote still hold them: merging skips
# them), and the merged state has them null.
NOT_WRITTEN = {"documents": ("text",), "sections": ("body",)}


def merge_shards(plan: ShardPlan) -> RunState:
    """One RunState over every shard's saved results, in plan order, ready for the global stages; the
    documents and sections come without their text (NOT_WRITTEN)."""
    files = [(shard.folder / f"{name}.parquet", NOT_WRITTEN.get(name, ())) for shard in plan.shards for name in FRAMES]
    # Two threads read side by side (polars reads without the GIL): 800 files at 1M examples, 1.25 -> 0.85 s.
    with ThreadPoolExecutor(max_workers=2) as reading:
        read = list(reading.map(lambda file: read_without(*file), files))
    frames = {name: read[index :: len(FRAMES)] for index, name in enumerate(FRAMES)}
    usage = None
    for shard in plan.shards:
        shard_usage = json.loads((shard.folder / DONE).read_text(encoding="utf-8"))["llm_usage"]
        usage = merge_usage(usage, shard_usage) if shard_usage else usage
    merged = {name: stack(frames[name], schema) for name, schema in FRAMES.items() if name != "rejected"}
    planned = pl.DataFrame(list(plan.rejected), schema=REJECTED).with_columns(reject_stage=pl.lit(PLANNING_STEP))
    rejected = concat_rejects([planned, *frames["rejected"]])
    state = RunState(merged["documents"], merged["sections"], merged["examples"], rejected, usage)
    return replace(state, described_inputs=plan.described)


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
