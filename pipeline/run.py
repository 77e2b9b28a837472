"""The ordered stage list of a prepare run, shared by the local runner and the Prefect flow.

A run threads one `RunState` through `STAGES`; each step is a pure function of the state and the
config (only ingest reads files). `write_outputs` is the edge that writes the run directory. The
Prefect flow wraps each step as a task and calls the same functions in the same order, so a local run
and a flow run produce identical outputs.
"""

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from pipeline import __version__
from pipeline.checks.targets import TARGETS, get_target
from pipeline.config import PrepareConfig
from pipeline.conflicts import resolve_conflicts
from pipeline.decontaminate import drop_contaminated, read_eval_items
from pipeline.dedup import drop_exact_duplicates, drop_near_duplicates
from pipeline.errors import ConfigError, InputError, OutputError
from pipeline.export import write_hf_dataset, write_rejects, write_splits
from pipeline.generate.extractive import generate_extractive, reject_barren_documents
from pipeline.generate.llm import generate_with_llm
from pipeline.generate.preference import build_negative_pairs, unpair_for_kto
from pipeline.grounding import check_grounding
from pipeline.ingest import Importing, read_sources
from pipeline.ingest.files import discover_files
from pipeline.io import describe_files, package_versions, write_json
from pipeline.leakage import leakage
from pipeline.quality import filter_quality
from pipeline.records import DOCUMENT, EXAMPLE, REJECTED, SECTION, Split, concat_rejects, empty
from pipeline.report import build_report
from pipeline.report.files import write_renderings
from pipeline.sections import split_sections
from pipeline.split import split_by_group
from pipeline.tokens import count_tokens, load_encoding, resolve


@dataclass(frozen=True)
class RunState:
    documents: pl.DataFrame
    sections: pl.DataFrame
    examples: pl.DataFrame  # examples still in the running
    rejected: pl.DataFrame  # every reject so far, documents and examples
    llm_usage: dict | None = None  # requests, cache hits, tokens and cost of LLM generation, when enabled

    @classmethod
    def start(cls) -> "RunState":
        return cls(empty(DOCUMENT), empty(SECTION), empty(EXAMPLE), empty(REJECTED))

    def apply(self, result: Split) -> "RunState":
        return replace(self, examples=result.kept, rejected=concat_rejects([self.rejected, result.rejected]))


@dataclass(frozen=True)
class Stage:
    name: str
    apply: Callable[[RunState, PrepareConfig], RunState]


def ingest(state: RunState, cfg: PrepareConfig) -> RunState:
    if not cfg.sources:
        raise ConfigError("no sources: pass files or folders to `ftprep prepare`, or set `sources` in the config")
    ingested = read_sources(cfg.sources, cfg.ingest, Importing(cfg.kind, cfg.preference))
    return replace(
        state,
        documents=ingested.documents,
        examples=ingested.examples,
        rejected=concat_rejects([state.rejected, ingested.rejected]),
    )


def sections(state: RunState, cfg: PrepareConfig) -> RunState:
    return replace(state, sections=split_sections(state.documents))


def generate(state: RunState, cfg: PrepareConfig) -> RunState:
    """Imported examples (from ingest), extracted ones and, when enabled, LLM ones; barren documents are rejected."""
    produced = [generate_extractive(state.sections, cfg.generate)]
    usage = None
    if cfg.llm.enabled:
        # The one place the API key is read: from the environment, never from config or flow parameters.
        api_key = os.environ.get(cfg.llm.api_key_env) or None
        cache_dir = Path(cfg.llm.cache_dir).expanduser() if cfg.llm.cache_dir else default_llm_cache()
        llm = generate_with_llm(state.sections, cfg.llm, cfg.generate.system_prompt, api_key, cache_dir)
        produced.append(Split(llm.kept, llm.rejected))
        usage = llm.usage
    examples = pl.concat([state.examples, *(split.kept for split in produced)], how="diagonal_relaxed")
    rejected = concat_rejects([split.rejected for split in produced])
    candidates = pl.concat([examples.select("doc_id"), state.rejected.select("doc_id"), rejected.select("doc_id")])
    extractors = [*cfg.generate.extractors, *(["llm"] if cfg.llm.enabled else [])]
    barren = reject_barren_documents(state.documents, candidates, extractors)
    grounded = check_grounding(examples, state.documents)
    result = Split(grounded.kept, concat_rejects([rejected, barren, grounded.rejected]))
    if cfg.kind == "preference":
        result, usage = make_pairs(result, state.sections, cfg, usage)
    return replace(state, llm_usage=usage).apply(result)


def make_pairs(sft: Split, sections: pl.DataFrame, cfg: PrepareConfig, usage: dict | None) -> tuple[Split, dict | None]:
    """Preference runs: grounded answers become pairs against verified negatives (and, when enabled, judged pairs)."""
    answers = sft.kept.filter(pl.col("kind") == "sft")
    built = [build_negative_pairs(answers, sections, cfg.preference)]
    if cfg.preference.judge.enabled:
        from pipeline.generate.judge import judge_preferences

        api_key = os.environ.get(cfg.llm.api_key_env) or None
        cache_dir = Path(cfg.llm.cache_dir).expanduser() if cfg.llm.cache_dir else default_llm_cache()
        judged = judge_preferences(answers, sections, cfg.llm, cfg.preference.judge, api_key, cache_dir)
        built.append(Split(judged.kept, judged.rejected))
        usage = merge_usage(usage, judged.usage)
    imported = sft.kept.filter(pl.col("kind") != "sft")
    kept = pl.concat([imported, *(split.kept for split in built)], how="diagonal_relaxed")
    if get_target(cfg.target).kinds == ("kto",):
        kept = unpair_for_kto(kept)
    return Split(kept, concat_rejects([sft.rejected, *(split.rejected for split in built)])), usage


def merge_usage(first: dict | None, second: dict) -> dict:
    if first is None:
        return second
    return {
        key: (first[key] or second[key]) if isinstance(first[key], bool) else first[key] + second[key] for key in first
    }


def default_llm_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "ftprep", "llm")


def check_format(state: RunState, cfg: PrepareConfig) -> RunState:
    from pipeline.checks.format import check_format as check

    return state.apply(check(state.examples, cfg.target))


def quality(state: RunState, cfg: PrepareConfig) -> RunState:
    return state.apply(filter_quality(state.examples, cfg.quality))


def dedup(state: RunState, cfg: PrepareConfig) -> RunState:
    exact = drop_exact_duplicates(state.examples, cfg.dedup)
    near = drop_near_duplicates(exact.kept, cfg.dedup)
    rejected = [exact.rejected, near.rejected]
    kept = near.kept
    if cfg.dedup.conflicts == "reject":
        resolved, _ = resolve_conflicts(kept, "reject")
        kept, rejected = resolved.kept, [*rejected, resolved.rejected]
    if cfg.dedup.eval_files:
        clean = drop_contaminated(kept, read_eval_items(cfg.dedup.eval_files), cfg.dedup)
        kept, rejected = clean.kept, [*rejected, clean.rejected]
    return state.apply(Split(kept, concat_rejects(rejected)))


def tokens(state: RunState, cfg: PrepareConfig) -> RunState:
    return state.apply(count_tokens(state.examples, cfg.tokens, cfg.model))


def split(state: RunState, cfg: PrepareConfig) -> RunState:
    return replace(state, examples=split_by_group(state.examples, cfg.split))


STAGES: list[Stage] = [
    Stage("ingest", ingest),
    Stage("sections", sections),
    Stage("generate", generate),
    Stage("check-format", check_format),
    Stage("quality", quality),
    Stage("dedup", dedup),
    Stage("tokens", tokens),
    Stage("split", split),
]


def run_info(cfg: PrepareConfig) -> dict:
    """The `run` block of report.json: what was asked for, with no clock and no paths of this machine."""
    encoding, limit = resolve(cfg.model, cfg.tokens)
    # The settings' hash leaves out where data comes from and goes to, so it compares across machines, and
    # the shard size, which changes how a run is executed but not its outputs.
    settings = cfg.model_dump(mode="json", exclude={"sources": True, "out": True, "ingest": {"shard_size"}})
    config_json = json.dumps(settings, sort_keys=True)
    return {
        "name": Path(cfg.out).name,
        "ftprep_version": __version__,
        "kind": cfg.kind,
        "target": cfg.target,
        "model": cfg.model,
        "encoding": encoding,
        "token_limit": limit,
        "min_examples": get_target(cfg.target).min_examples,
        "eval_files": [Path(name).name for name in cfg.dedup.eval_files],
        "config_sha256": hashlib.sha256(config_json.encode()).hexdigest(),
    }


def write_outputs(state: RunState, cfg: PrepareConfig) -> dict:
    """Write every output of the run directory and return report.json's content."""
    out = Path(cfg.out)
    measured = leakage(state.examples, cfg.dedup)
    report = build_report(
        state.documents, state.examples, state.rejected, run_info(cfg), state.llm_usage, state.sections, measured
    )
    written = [*write_splits(state.examples, cfg.target, out), write_rejects(state.rejected, out)]
    if cfg.export.hf_dataset:
        written += write_hf_dataset(state.examples, cfg.target, out, title=f"ftprep dataset: {Path(cfg.out).name}")
    write_json(out / "report.json", report)
    written += [out / "report.json", *write_renderings(report, out)]
    inputs = [source.path for source in discover_files(cfg.sources, cfg.ingest.exclude)]
    manifest = {
        "ftprep_version": __version__,
        "config": cfg.model_dump(mode="json"),
        "versions": package_versions(),
        "inputs": describe_files(inputs, Path.cwd()),
        "outputs": describe_files(written, out),
    }
    write_json(out / "manifest.json", manifest)
    return report


RUN_MARKER = ".ftprep-run"  # marks a folder ftprep may write into again (a rerun or a resumed run)


def preflight(cfg: PrepareConfig) -> None:
    """Fail before any work on what would stop the run later: no sources, a missing path, no encoding."""
    if not cfg.sources:
        raise ConfigError("no sources: pass files or folders to `ftprep prepare`, or set `sources` in the config")
    for source in cfg.sources:
        if not Path(source).exists():
            raise InputError(f"{source}: no such file or folder; pass existing files or folders as SOURCES")
    target = get_target(cfg.target)
    if cfg.kind not in target.kinds and not (cfg.kind == "preference" and "kto" in target.kinds):
        fitting = ", ".join(name for name, other in TARGETS.items() if cfg.kind in other.kinds)
        raise ConfigError(
            f"target '{cfg.target}' does not hold {cfg.kind} examples; use --target with one of: {fitting}"
        )
    load_encoding(resolve(cfg.model, cfg.tokens)[0])
    if cfg.dedup.eval_files:
        read_eval_items(cfg.dedup.eval_files)  # an unreadable eval file stops the run before any work
    out = Path(cfg.out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder; choose another --out")
    earlier_run = (out / RUN_MARKER).exists() or (out / "manifest.json").exists()  # runs before the marker existed
    if out.is_dir() and any(out.iterdir()) and not earlier_run and not cfg.force:
        raise OutputError(
            f"{out}: not empty and not an ftprep run folder; choose a new or empty --out, or pass --force to "
            "write into it anyway"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / RUN_MARKER).write_text(f"ftprep {__version__}: this folder holds an ftprep run\n", encoding="utf-8")
        for stale in out.rglob(".*.partial"):  # temporary files of a killed run (SIGKILL skips their clean-up)
            stale.unlink(missing_ok=True)
    except OSError as error:
        raise OutputError(f"{out}: cannot write ({error.strerror or error}); choose another --out") from None


def prepare_locally(cfg: PrepareConfig) -> dict:
    """Run every stage in this process without Prefect (tests, notebooks, `--runner local`)."""
    preflight(cfg)
    state = RunState.start()
    for stage in STAGES:
        state = stage.apply(state, cfg)
    return write_outputs(state, cfg)
