"""The `run` block of report.json: what was asked for, with no clock and no paths of this machine."""

import hashlib
import json
from pathlib import Path

from pipeline import __version__
from pipeline.checks.targets import get_target
from pipeline.config import PrepareConfig
from pipeline.tokens import resolve


def run_info(cfg: PrepareConfig) -> dict:
    encoding, limit = resolve(cfg.model, cfg.tokens)
    # The settings' hash leaves out the sources, the output folder and the shard size (which changes how a run
    # is executed but not its outputs); other paths in the config (eval files, the LLM cache) still count.
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
        "eval_files": [Path(name).name for name in cfg.decontamination.eval_files],
        # What the split was asked for, so the report can say when it came out otherwise (report.balance).
        "split": cfg.split.model_dump(
            mode="json",
            include={"validation_ratio", "test_ratio", "min_validation", "group_by", "group_pattern", "stratify_by"},
        ),
        # The other settings the risk advice names, so it never recommends the one in force (report.advice).
        "generate": cfg.generate.model_dump(mode="json", include={"rephrase", "max_per_document"}),
        "llm": {"enabled": cfg.llm.enabled},
        "dedup": cfg.dedup.model_dump(mode="json", include={"near", "threshold"}),
        "config_sha256": hashlib.sha256(config_json.encode()).hexdigest(),
    }
