"""manifest.json: what a run read and wrote (paths, sizes, sha256), with its whole config and package versions.

It is the last file a run writes: its outputs list describes the last run that finished in this folder.
"""

from pathlib import Path

from pipeline import __version__
from pipeline.config import PrepareConfig
from pipeline.ingest.files import discover_files
from pipeline.io import describe_files, package_versions, write_json


def write_manifest(cfg: PrepareConfig, written: list[Path]) -> Path:
    out = Path(cfg.out)
    inputs = [source.path for source in discover_files(cfg.sources, cfg.ingest.exclude)]
    manifest = {
        "ftprep_version": __version__,
        "config": cfg.model_dump(mode="json"),
        "versions": package_versions(),
        "inputs": describe_files(inputs, Path.cwd()),
        "outputs": describe_files(written, out),
    }
    write_json(out / "manifest.json", manifest)
    return out / "manifest.json"
