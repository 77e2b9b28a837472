"""Applying one stage of the registry to the run state, the same way under every backend.

The stage's body sees only the config fields its registry entry declares, so the resume key (built
from those declarations) cannot miss a setting; every reject it makes is stamped with its funnel step.
"""

import logging
import time
from typing import Any, cast

from pipeline.config import PrepareConfig
from pipeline.partitions import IN_PROCESS, Mapper
from pipeline.records import Split
from pipeline.stages import EVERYTHING, Stage
from pipeline.state import RunState

log = logging.getLogger(__name__)


def apply_stage(stage: Stage, state: RunState, cfg: PrepareConfig, mapper: Mapper = IN_PROCESS) -> RunState:
    """One stage over the state: its body sees only the settings it declared, its rejects carry its funnel step."""
    since, started = state.rejected.height, time.perf_counter()
    view = declared(cfg, stage)
    result = stage.body(state, view, mapper) if stage.partitioned else stage.body(state, view)
    after = state.apply(result) if isinstance(result, Split) else result
    stamped = after.stamp_rejects(since, stage.step) if after.rejected.height > since else after
    # bench/stages.py sums these into its stage table
    log.debug("stage %s: %.3f s", stage.name, time.perf_counter() - started, extra={"stage": stage.name})
    return stamped


class UndeclaredSetting(AttributeError):
    """A stage read a config field its registry entry does not list (a bug: the resume key would miss it)."""


class Declared:
    """The run's config as one stage may see it: the fields its registry entry lists, and no other."""

    def __init__(self, cfg: PrepareConfig, stage: Stage) -> None:
        self._cfg, self._stage = cfg, stage

    def __getattr__(self, name: str) -> Any:
        if name not in self._stage.reads:
            raise UndeclaredSetting(
                f"stage '{self._stage.name}' read config field '{name}' but declares only {self._stage.reads}; "
                "add it to the stage's `reads` in pipeline/stages.py"
            )
        return getattr(self._cfg, name)


def runs(stage: Stage, cfg: PrepareConfig) -> bool:
    """Whether the stage runs in this config (its `when`, which may read only what the stage declares)."""
    return stage.when(declared(cfg, stage))


def declared(cfg: PrepareConfig, stage: Stage) -> PrepareConfig:
    if stage.reads == EVERYTHING:
        return cfg
    return cast(PrepareConfig, Declared(cfg, stage))  # duck-typed: attribute reads are all a stage does
