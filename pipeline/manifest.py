"""manifest.json: what a run read and wrote (paths, sizes, sha256), with its whole config and package versions.

It is the last file a run writes: its outputs list describes the last run that finished in this folder.
"""

from collections.abc import Sequence
from pathlib import Path

from pipeline import __version__
from pipeline.config import PrepareConfig
from pipeline.ingest.files import discover_files
from pipeline.io import describe_files, package_versions, write_json


def write_manifest(cfg: PrepareConfig, written: list[Path], inputs: Sequence[dict] | None = None) -> Path:
    """`inputs`: the entries of the files found, as planning read and hashed them (pipeline.shards), so that a
    run reads each input once and its manifest names the bytes its shard keys were made from; without them,
    the files are found and hashed here."""
    out = Path(cfg.out)
    if inputs is None:
        found = [source.path for source in discover_files(cfg.sources, cfg.ingest.exclude)]
        inputs = describe_files(found, Path.cwd())
    manifest = {
        "ftprep_version": __version__,
        "config": cfg.model_dump(mode="json"),
        "versions": package_versions(),
        "inputs": list(inputs),
        "outputs": describe_files(written, out),
    }
    write_json(out / "manifest.json", manifest)
    return out / "manifest.json"
