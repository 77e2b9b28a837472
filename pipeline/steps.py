"""The bodies of the stages in pipeline.stages: each reads the run state and the settings its stage
declares, calls the library, and returns a Split (rows kept, rows rejected) or a new state.

They know nothing of shards, Prefect or Dask, and never set `reject_stage`: the executor stamps each
reject with the funnel step the registry gives the stage. A body reads only the config sections its
registry entry lists (the executor hands it a view that refuses any other), so the resume key built
from those lists cannot miss a setting. The bodies the registry marks `partitioned` also take the
backend's Mapper and hand it to the library, which maps its work over partitions.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import polars as pl

# A shard worker imports this module (through the registry) but runs only the shard bodies: what global bodies
# alone use (dedup's and the split's scipy, the exports' writers), preference pairs (bm25s, scipy) and LLM
# generation are imported where they are called, which takes 0.4-0.5 s off each shard worker's start
# (bench/RESULTS.md, issue 18).
from pipeline.checks.targets import get_target
from pipeline.config import PrepareConfig
from pipeline.conflicts import reject_ambiguous, resolve_conflicts
from pipeline.decontaminate import drop_contaminated, read_eval_items
from pipeline.generate.extractive import generate_extractive, reject_barren_documents
from pipeline.grounding import check_grounding
from pipeline.ingest import Importing, read_files
from pipeline.io import file_facts, write_json
from pipeline.leakage import leakage
from pipeline.manifest import write_manifest
from pipeline.pair_quality import filter_pairs
from pipeline.partitions import Mapper
from pipeline.quality import filter_quality
from pipeline.records import Split, check_unique_ids, concat_rejects
from pipeline.report import build_report
from pipeline.report.files import write_renderings
from pipeline.report.quality import language_mix
from pipeline.report.run import run_info
from pipeline.sections import split_sections
from pipeline.similarity.partitioned import spill_texts
from pipeline.split import split_by_group
from pipeline.state import RunState, merge_usage
from pipeline.tokens import count_tokens

# --- per document (each shard on its own) ---


def ingest(state: RunState, cfg: PrepareConfig) -> RunState:
    files, mappings = state.inputs.files, dict(state.inputs.mappings)
    ingested = read_files(list(files), cfg.ingest, mappings, Importing(cfg.kind, cfg.preference))
    state = replace(state, documents=ingested.documents, examples=ingested.examples)
    return state.add_rejects(ingested.rejected)


def sections(state: RunState, cfg: PrepareConfig) -> RunState:
    return replace(state, sections=split_sections(state.documents))


def extract(state: RunState, cfg: PrepareConfig) -> Split:
    """Rule-based examples from every section, after the examples ingest imported."""
    made = generate_extractive(state.sections, cfg.generate)
    return Split(pl.concat([state.examples, made.kept], how="diagonal_relaxed"), made.rejected)


def generate_llm(state: RunState, cfg: PrepareConfig) -> RunState:
    """Question-answer pairs an LLM wrote from the sections (a network stage: LLM generation;
    `pair-preferences` also calls the endpoint when `preference.judge.enabled`)."""
    api_key = os.environ.get(cfg.llm.api_key_env) or None  # from the environment, never from config or parameters
    from pipeline.generate.llm import generate_with_llm

    made = generate_with_llm(state.sections, cfg.llm, cfg.generate.system_prompt, api_key, llm_cache(cfg))
    kept = pl.concat([state.examples, made.kept], how="diagonal_relaxed")
    return replace(state, llm_usage=merge_usage(state.llm_usage, made.usage)).apply(Split(kept, made.rejected))


def reject_barren(state: RunState, cfg: PrepareConfig) -> RunState:
    """Documents no example came from, kept or rejected, become rejects of their own."""
    candidates = pl.concat([state.examples.select("doc_id"), state.rejected.select("doc_id")])
    extractors = [*cfg.generate.extractors, *(["llm"] if cfg.llm.enabled else [])]
    return state.add_rejects(reject_barren_documents(state.documents, candidates, extractors))


def ground(state: RunState, cfg: PrepareConfig) -> Split:
    return check_grounding(state.examples, state.documents)


def pair_quality(state: RunState, cfg: PrepareConfig) -> Split:
    """Generated pairs a person would not keep are rejected before anything is built on them."""
    return filter_pairs(state.examples, cfg.generate.pair_quality_skip)


def rephrase_prompts(state: RunState, cfg: PrepareConfig) -> RunState:
    """Template questions of extractive examples rewritten by the [llm] endpoint; answers stay, nothing is rejected."""
    from pipeline.generate.rephrase import rephrase_prompts as rephrase

    api_key = os.environ.get(cfg.llm.api_key_env) or None  # from the environment, never from config or parameters
    made = rephrase(state.examples, state.sections, cfg.llm, api_key, llm_cache(cfg), state.llm_usage)
    return replace(state, examples=made.examples, llm_usage=merge_usage(state.llm_usage, made.usage))


def pair_preferences(state: RunState, cfg: PrepareConfig) -> RunState:
    """Grounded answers become pairs against verified negatives (and, when enabled, LLM-judged pairs)."""
    from pipeline.generate.preference import build_negative_pairs, unpair_for_kto  # bm25s and scipy

    answers = state.examples.filter(pl.col("kind") == "sft")
    built = [build_negative_pairs(answers, state.sections, cfg.preference)]
    usage = state.llm_usage
    if cfg.preference.judge.enabled:
        from pipeline.generate.judge import judge_preferences

        api_key = os.environ.get(cfg.llm.api_key_env) or None
        judged = judge_preferences(answers, state.sections, cfg.llm, cfg.preference.judge, api_key, llm_cache(cfg))
        built.append(Split(judged.kept, judged.rejected))
        usage = merge_usage(usage, judged.usage)
    imported = state.examples.filter(pl.col("kind") != "sft")
    kept = pl.concat([imported, *(split.kept for split in built)], how="diagonal_relaxed")
    if get_target(cfg.target).kinds == ("kto",):
        kept = unpair_for_kto(kept)
    made = Split(kept, concat_rejects([split.rejected for split in built]))
    return replace(state, llm_usage=usage).apply(made)


def llm_cache(cfg: PrepareConfig) -> Path:
    if cfg.llm.cache_dir:
        return Path(cfg.llm.cache_dir).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "ftprep", "llm")


def check_format(state: RunState, cfg: PrepareConfig) -> Split:
    from pipeline.checks.format import check_format as check

    return check(state.examples, cfg.target)


def quality(state: RunState, cfg: PrepareConfig) -> Split:
    return filter_quality(state.examples, cfg.quality, cfg.sensitive)


# --- over every example of the run ---


def dedup_exact(state: RunState, cfg: PrepareConfig) -> Split:
    from pipeline.dedup import drop_exact_duplicates

    return drop_exact_duplicates(state.examples, cfg.dedup)


def dedup_near(state: RunState, cfg: PrepareConfig, mapper: Mapper) -> Split:
    from pipeline.dedup import drop_near_duplicates

    return drop_near_duplicates(state.examples, cfg.dedup, mapper)


def reject_ambiguous_prompts(state: RunState, cfg: PrepareConfig) -> Split:
    return reject_ambiguous(state.examples)


def reject_conflicts(state: RunState, cfg: PrepareConfig) -> Split:
    return resolve_conflicts(state.examples, "reject")[0]


def decontaminate(state: RunState, cfg: PrepareConfig) -> Split:
    return drop_contaminated(state.examples, read_eval_items(cfg.decontamination.eval_files), cfg.dedup)


def tokens(state: RunState, cfg: PrepareConfig, mapper: Mapper) -> Split:
    return count_tokens(state.examples, cfg.tokens, cfg.model, mapper)


def split(state: RunState, cfg: PrepareConfig, mapper: Mapper) -> RunState:
    """Under partitions, the 13-grams the split's passages need are spilled where leakage reads them again."""
    grams = None if mapper.whole else spill_texts(state.examples, "both", mapper, mapper.lasting("grams"))
    return replace(state, examples=split_by_group(state.examples, cfg.split, mapper, grams), grams=grams)


def measure_leakage(state: RunState, cfg: PrepareConfig, mapper: Mapper) -> RunState:
    return replace(state, leakage=leakage(state.examples, cfg.dedup, mapper, state.grams))


def measure_languages(state: RunState, cfg: PrepareConfig, mapper: Mapper) -> RunState:
    """The report's language mix, as a stage of its own: fastText's ranking (9 of the report's 17 s at a million
    generated examples) runs on the workers, which the executor stops before the report's other statistics
    grow this process (at that scale, idle workers beside them took flow and workers past 2.6 GB)."""
    return replace(state, languages=language_mix(state.examples, mapper))


def report(state: RunState, cfg: PrepareConfig) -> RunState:
    built = build_report(
        state.documents,
        state.examples,
        state.rejected,
        run_info(cfg),
        state.llm_usage,
        state.sections,
        state.leakage,
        state.languages,
    )
    return replace(state, report=built)


def export(state: RunState, cfg: PrepareConfig) -> RunState:
    """train/validation(/test) in the target format, rejects.jsonl and, when asked for, the HF dataset."""
    from pipeline.export import write_hf_dataset, write_rejects, write_splits

    check_unique_ids(state.examples, "kept examples")
    out = Path(cfg.out)
    # rejects.jsonl is written on a thread beside the splits: polars writes without the GIL, and at a million
    # generated examples it is most of the exports (1.5 of 2.3 s, on one core).
    with ThreadPoolExecutor(max_workers=1) as writing:
        rejects = writing.submit(write_rejects, state.rejected, out)
        splits = write_splits(state.examples, cfg.target, out)
        title = f"ftprep dataset: {out.name}"
        hf = write_hf_dataset(state.examples, cfg.target, out, title=title) if cfg.export.hf_dataset else []
        written = [*splits, rejects.result(), *hf]
    return replace(state, written=(*state.written, *written))


def write_report(state: RunState, cfg: PrepareConfig) -> RunState:
    """report.json with its Markdown and HTML renderings, then manifest.json describing every output."""
    if state.report is None:
        raise RuntimeError("write-report runs after the report stage (pipeline.stages)")
    out = Path(cfg.out)
    # The exported files are hashed on a thread while the report is rendered: hashlib and reads release the GIL,
    # and at a million generated examples the exports are 0.7 GB (rejects.jsonl most of it), about 1.5 s of sha256.
    with ThreadPoolExecutor(max_workers=1) as hashing:
        exported = hashing.submit(lambda: {path: file_facts(path) for path in state.written})
        write_json(out / "report.json", state.report)
        written = [*state.written, out / "report.json", *write_renderings(state.report, out)]
        facts = exported.result()
    write_manifest(cfg, written, state.described_inputs, facts)
    return replace(state, written=tuple(written))
