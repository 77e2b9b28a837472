"""The stage registry: one entry per stage, the funnel and the resume key derived from it, reads enforced."""

from pathlib import Path

import polars as pl
import pytest

from pipeline.apply import Declared, UndeclaredSetting, apply_stage
from pipeline.config import PrepareConfig
from pipeline.records import Split, reject
from pipeline.shards import plan_shards
from pipeline.stages import FUNNEL, GLOBAL_STAGES, SHARD_READS, SHARD_STAGES, STAGES, Stage
from pipeline.state import RunState

MINI = Path(__file__).resolve().parent / "data" / "mini"

# One valid change of every config field; a new field must add a row (test_every_field_has_a_change).
CHANGES: dict[str, object] = {
    "kind": "preference",
    "target": "trl-sft",
    "model": "gpt-4o",
    "force": True,
    "ingest": {"max_file_mb": 10.0},
    "generate": {"seed": 5},
    "llm": {"temperature": 0.5},
    "preference": {"seed": 3},
    "quality": {"min_answer_chars": 5},
    "sensitive": {"personal_data": "redact"},
    "dedup": {"threshold": 0.5},
    "decontamination": {"eval_files": ["held-out.jsonl"]},
    "tokens": {"max_tokens_per_example": 100},
    "split": {"seed": 3},
    "export": {"hf_dataset": False},
}
NOT_SETTINGS = {"sources", "out"}  # what is read and where it goes: the key holds the files themselves
# What the shard stages read, written out as the spec (the executor refuses a read a stage did not declare).
READ_PER_SHARD = {"ingest", "kind", "preference", "generate", "llm", "target", "quality", "sensitive"}


def keys(cfg: PrepareConfig) -> list[str]:
    return [shard.key for shard in plan_shards(cfg).shards]


def test_each_stage_is_declared_once():
    names = [stage.name for stage in STAGES]
    assert len(names) == len(set(names))
    assert [stage.name for stage in (*SHARD_STAGES, *GLOBAL_STAGES)] == names  # shard stages all come first


def test_the_funnel_follows_the_registry():
    assert FUNNEL == ("ingest", "generate", "format", "quality", "dedup", "tokens")


def test_every_field_has_a_change():
    assert set(CHANGES) | NOT_SETTINGS == set(PrepareConfig.model_fields)


@pytest.mark.parametrize("field", sorted(CHANGES))
def test_a_setting_changes_the_shard_keys_exactly_when_a_shard_stage_reads_it(field):
    base = PrepareConfig(sources=[str(MINI)])
    change = CHANGES[field]
    if isinstance(change, dict):
        change = getattr(base, field).model_copy(update=change)
    changed = base.model_copy(update={field: change})
    before, after = keys(base), keys(changed)
    assert (field in SHARD_READS) == (field in READ_PER_SHARD)
    if field in READ_PER_SHARD:
        assert not set(before) & set(after), f"{field} is read by a shard stage: every shard must be redone"
    else:
        assert before == after, f"{field} is read by global stages only: no shard may be redone"


def test_the_shard_size_alone_does_not_change_a_key():
    base = PrepareConfig(sources=[str(MINI)])
    bigger = base.model_copy(update={"ingest": base.ingest.model_copy(update={"shard_size": 10_000})})
    assert keys(base) == keys(bigger)


def test_a_stage_reads_only_what_it_declares():
    cfg = PrepareConfig()
    view = Declared(cfg, Stage("split", "global", "split", ("split",), lambda state, cfg: state))
    assert view.split == cfg.split
    with pytest.raises(UndeclaredSetting, match=r"'dedup'.*pipeline/stages\.py"):
        _ = view.dedup


def test_rejects_carry_the_funnel_step_of_the_stage_that_made_them():
    def drop_all(state: RunState, cfg: PrepareConfig) -> Split:
        return Split(state.examples.clear(), reject(state.examples, "too_boring"))

    state = RunState.start()
    state = state.apply(Split(pl.DataFrame({"id": ["a", "b"]}), state.rejected))
    after = apply_stage(Stage("boring", "global", "quality", (), drop_all), state, PrepareConfig())
    assert after.examples.height == 0
    assert after.rejected.select("id", "reject_stage", "reject_reason").rows() == [
        ("a", "quality", "too_boring"),
        ("b", "quality", "too_boring"),
    ]
