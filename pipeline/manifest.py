"""manifest.json: what a run read and wrote (paths, sizes, sha256), with its whole config and package versions.

It is the last file a run writes: its outputs list describes the last run that finished in this folder.
"""

from collections.abc import Sequence
from pathlib import Path

from pipeline import __version__
from pipeline.config import PrepareConfig
from pipeline.ingest.files import discover_files
from pipeline.io import Facts, describe_file, describe_files, file_facts, package_versions, write_json


def write_manifest(
    cfg: PrepareConfig,
    written: list[Path],
    inputs: Sequence[dict] | None = None,
    hashed: dict[Path, Facts] | None = None,
) -> Path:
    """`inputs`: the entries of the files found, as planning read and hashed them (pipeline.shards), so that a
    run reads each input once and its manifest names the bytes its shard keys were made from; without them,
    the files are found and hashed here. `hashed`: outputs already hashed (the rest are hashed here)."""
    out, facts = Path(cfg.out), hashed or {}
    if inputs is None:
        found = [source.path for source in discover_files(cfg.sources, cfg.ingest.exclude)]
        inputs = describe_files(found, Path.cwd())
    manifest = {
        "ftprep_version": __version__,
        "config": cfg.model_dump(mode="json"),
        "versions": package_versions(),
        "inputs": list(inputs),
        "outputs": [
            describe_file(path, out, facts[path] if path in facts else file_facts(path)) for path in sorted(written)
        ],
    }
    write_json(out / "manifest.json", manifest)
    return out / "manifest.json"
