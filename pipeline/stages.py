"""The stage registry: every stage of a prepare run, in order, declared once.

Each entry names the stage (for a global stage it is also the Prefect task name; shard stages run inside
the `prepare-shard` task), its scope (`shard`: sees one shard's documents at a time; `global`: sees
every example of the run), the funnel step its rejects are counted under (`reject_stage` in
rejects.jsonl and the report's funnel), the config sections it reads, when it runs, and its body in
pipeline.steps. A `partitioned` body also takes a pipeline.partitions.Mapper and runs its work as tasks
over partitions of the examples (worker processes, or Dask workers). Everything that needs the
pipeline's shape derives it from here: the executor's loop, which stages run per shard, the resume key
(a hash of exactly the sections the shard stages read), the report's funnel order and the flow's task
names.

Adding a stage: write its body in pipeline/steps.py (or a module of its own), add one `Stage(...)` line
here, list every config section it reads. CONTRIBUTING.md walks through it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pipeline import steps
from pipeline.config import PrepareConfig
from pipeline.records import Split
from pipeline.state import RunState

Scope = Literal["shard", "global"]
Body = Callable[..., RunState | Split]  # (state, cfg), or (state, cfg, mapper) when `partitioned`
EVERYTHING = ("*",)  # a stage that records the whole config (the report's hash, the manifest)


def always(cfg: PrepareConfig) -> bool:
    return True


@dataclass(frozen=True)
class Stage:
    name: str
    scope: Scope
    step: str  # the funnel step its rejects are counted under
    reads: tuple[str, ...]  # top-level config fields (sections) the body and `when` may read
    body: Body
    when: Callable[[PrepareConfig], bool] = always
    whole_input: bool = False  # needs every document in one shard (a run budget, negatives across documents)
    partitioned: bool = False  # a global body that takes a Mapper and maps its work over partitions
    # Its whole body already keeps every core of this machine busy (polars' threads), so local worker processes
    # would add their start and a file round trip and nothing else; a cluster's workers still take its partitions.
    spreads_itself: bool = False


STAGES: tuple[Stage, ...] = (
    Stage("ingest", "shard", "ingest", ("ingest", "kind", "preference"), steps.ingest),
    Stage("sections", "shard", "ingest", (), steps.sections),
    Stage("extract", "shard", "generate", ("generate",), steps.extract),
    Stage("generate-llm", "shard", "generate", ("llm", "generate"), steps.generate_llm,
          when=lambda cfg: cfg.llm.enabled, whole_input=True),
    Stage("reject-barren", "shard", "generate", ("generate", "llm"), steps.reject_barren),
    Stage("ground", "shard", "generate", (), steps.ground),
    Stage("rephrase-prompts", "shard", "generate", ("generate", "llm"), steps.rephrase_prompts,
          when=lambda cfg: cfg.generate.rephrase == "llm", whole_input=True),
    Stage("pair-quality", "shard", "generate", ("generate",), steps.pair_quality,
          when=lambda cfg: cfg.generate.pair_quality),
    Stage("pair-preferences", "shard", "generate", ("kind", "preference", "llm", "target"), steps.pair_preferences,
          when=lambda cfg: cfg.kind == "preference", whole_input=True),
    Stage("check-format", "shard", "format", ("target",), steps.check_format),
    Stage("quality", "shard", "quality", ("quality", "sensitive"), steps.quality),
    Stage("dedup-exact", "global", "dedup", ("dedup",), steps.dedup_exact),
    Stage("dedup-near", "global", "dedup", ("dedup",), steps.dedup_near, partitioned=True),
    Stage("reject-ambiguous", "global", "dedup", (), steps.reject_ambiguous_prompts),
    Stage("reject-conflicts", "global", "dedup", ("dedup",), steps.reject_conflicts,
          when=lambda cfg: cfg.dedup.conflicts == "reject"),
    Stage("decontaminate", "global", "dedup", ("decontamination", "dedup"), steps.decontaminate,
          when=lambda cfg: bool(cfg.decontamination.eval_files)),
    Stage("tokens", "global", "tokens", ("tokens", "model"), steps.tokens, partitioned=True, spreads_itself=True),
    Stage("split", "global", "split", ("split",), steps.split, partitioned=True),
    Stage("leakage", "global", "report", ("dedup",), steps.measure_leakage, partitioned=True),
    Stage("languages", "global", "report", (), steps.measure_languages, partitioned=True),
    Stage("report", "global", "report", EVERYTHING, steps.report),
    Stage("export", "global", "export", ("out", "target", "export"), steps.export),
    Stage("write-report", "global", "export", EVERYTHING, steps.write_report),
)  # fmt: skip

PLANNING_STEP = STAGES[0].step  # rejects found while planning shards (unreadable dataset_info.json) count as ingest
SHARD_STAGES = tuple(stage for stage in STAGES if stage.scope == "shard")
GLOBAL_STAGES = tuple(stage for stage in STAGES if stage.scope == "global")
# The report's funnel: the steps whose stages can reject examples, in run order.
FUNNEL = tuple(dict.fromkeys(stage.step for stage in STAGES if stage.step not in ("split", "report", "export")))


# The config fields the per-shard stages read: a change to any of them makes every shard stale (the resume key).
SHARD_READS = tuple(sorted({name for stage in SHARD_STAGES for name in stage.reads}))
