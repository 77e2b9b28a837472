"""Checks before any work: what would stop a run later (no sources, a missing path, no encoding, an
unusable output folder) stops it at once, with the fix named.
"""

from pathlib import Path

from pipeline import __version__
from pipeline.checks.targets import TARGETS, get_target
from pipeline.config import PrepareConfig
from pipeline.decontaminate import read_eval_items
from pipeline.errors import ConfigError, InputError, OutputError
from pipeline.tokens import load_encoding, resolve

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
    if cfg.generate.rephrase == "llm":
        from pipeline.generate.rephrase import check_endpoint

        check_endpoint(cfg.llm)
    if cfg.decontamination.eval_files:
        read_eval_items(cfg.decontamination.eval_files)  # an unreadable eval file stops the run before any work
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
