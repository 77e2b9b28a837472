"""RunState: what a prepare run holds between stages, and how a stage's result is folded into it.

Stages never mutate it; each returns a new state. The frames follow the schemas in pipeline.records.
`pipeline.apply.apply_stage` runs every stage, and afterwards stamps every reject the stage added (from
a returned Split or folded in by the body) with the funnel step the stage registry names.
"""

from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from pipeline.ingest.files import SourceFile
from pipeline.ingest.llama_factory import Mapping
from pipeline.partitions import Spill
from pipeline.records import DOCUMENT, EXAMPLE, REJECTED, SECTION, Split, concat_rejects, empty


@dataclass(frozen=True)
class Inputs:
    """The files one shard reads, with the dataset_info.json mappings that describe some of them."""

    files: tuple[SourceFile, ...] = ()
    mappings: tuple[tuple[Path, Mapping], ...] = ()


@dataclass(frozen=True)
class RunState:
    documents: pl.DataFrame
    sections: pl.DataFrame
    examples: pl.DataFrame  # examples still in the running
    rejected: pl.DataFrame  # every reject so far, documents and examples
    llm_usage: dict | None = None  # requests, cache hits, tokens and cost of LLM generation, when enabled
    inputs: Inputs = field(default_factory=Inputs)  # what the ingest stage reads
    described_inputs: tuple[dict, ...] | None = None  # manifest entries of every file found, made while planning
    grams: Spill | None = None  # the split's 13-grams of every example, on disk, which leakage reads again
    leakage: dict | None = None  # what the split's validation (and test) share with train, once measured
    languages: dict[str, int] | None = None  # examples per language of their answer, once counted
    report: dict | None = None  # report.json's content, once built
    written: tuple[Path, ...] = ()  # output files written so far (the manifest describes them)

    @classmethod
    def start(cls, inputs: Inputs | None = None) -> "RunState":
        return cls(empty(DOCUMENT), empty(SECTION), empty(EXAMPLE), empty(REJECTED), inputs=inputs or Inputs())

    def apply(self, result: Split) -> "RunState":
        """The kept rows replace the examples; the rejected rows are appended to the rejects."""
        return replace(self, examples=result.kept, rejected=concat_rejects([self.rejected, result.rejected]))

    def add_rejects(self, rejected: pl.DataFrame) -> "RunState":
        return replace(self, rejected=concat_rejects([self.rejected, rejected]))

    def stamp_rejects(self, since: int, step: str) -> "RunState":
        """Rejects from row `since` on were made by one stage: name its funnel step on them."""
        rows = pl.int_range(pl.len()) >= since
        stamped = self.rejected.with_columns(reject_stage=pl.when(rows).then(pl.lit(step)).otherwise("reject_stage"))
        return replace(self, rejected=stamped)


def merge_usage(first: dict | None, second: dict | None) -> dict | None:
    """LLM usage of two parts of a run (two shards; generation, rephrasing and judging) added up.

    Counts add, flags are or-ed, nested counts (fallbacks by reason) add key by key; a key only one side
    has (rephrasing's, when generation ran too) is kept as it is.
    """
    if first is None or second is None:
        return first or second
    merged = {}
    for key in dict.fromkeys([*first, *second]):
        if key not in first or key not in second:
            merged[key] = first[key] if key in first else second[key]
        elif isinstance(first[key], bool):
            merged[key] = first[key] or second[key]
        elif isinstance(first[key], dict):
            merged[key] = merge_usage(first[key], second[key])
        else:
            merged[key] = first[key] + second[key]
    return merged
