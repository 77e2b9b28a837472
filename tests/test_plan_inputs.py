"""Planning reads each input once: its manifest entries and shard keys are what hashing each file again gives."""

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.config import IngestConfig, PrepareConfig
from pipeline.ingest import input_files
from pipeline.ingest.files import discover_files, read_bytes
from pipeline.io import describe_files, relative_name
from pipeline.shards import ShardPlanning, plan_shards


def tree(root):
    for name in ["a.md", "dataset_info.json", "sub/dataset_info.json", "sub/b.md", "sub/deeper/c.jsonl", ".hidden.md"]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"# {name}\n\ntext of {name}\n", encoding="utf-8")
    os.mkfifo(root / "sub" / "pipe.md")  # not a regular file: listed with why, never read
    (root / "sub" / "locked.md").write_text("secret", encoding="utf-8")
    (root / "sub" / "locked.md").chmod(0)


def test_input_files_leave_out_found_dataset_info_files_only(tmp_path):
    tree(tmp_path / "docs")
    loose = tmp_path / "dataset_info.json"  # passed by its own path: read as given, as it always was
    loose.write_text("{}", encoding="utf-8")
    sources, cfg = [tmp_path / "docs", loose], IngestConfig()
    before = list(discover_files(sources, [*cfg.exclude, "dataset_info.json"]))
    assert input_files(sources, cfg) == before
    assert [source.name for source in before][-1] == "dataset_info.json"
    assert not any(source.name.endswith("/dataset_info.json") for source in before)


def test_planned_manifest_entries_equal_hashing_every_file_again(tmp_path, monkeypatch):
    tree(tmp_path / "docs")
    monkeypatch.chdir(tmp_path)
    cfg = PrepareConfig(sources=["docs"], out=str(tmp_path / "out"))
    plan = plan_shards(cfg)
    found = [source.path for source in discover_files(cfg.sources, cfg.ingest.exclude)]
    assert list(plan.described) == describe_files(found, tmp_path)
    reasons = {entry["path"]: entry.get("unreadable") for entry in plan.described}
    assert reasons["docs/sub/pipe.md"] == "not a regular file"
    assert reasons["docs/sub/dataset_info.json"] is None and reasons["docs/a.md"] is None
    if os.geteuid() != 0:  # root reads a file without permissions
        assert reasons["docs/sub/locked.md"] == "Permission denied"


def test_planning_tells_how_many_shards_before_reading_any_file(tmp_path, monkeypatch):
    tree(tmp_path / "docs")
    monkeypatch.chdir(tmp_path)
    cfg = PrepareConfig(sources=["docs"], out=str(tmp_path / "out"), ingest={"shard_size": 2})
    heard = []
    plan = plan_shards(cfg, heard.append)
    assert heard == [len(plan.shards)] == [3]  # five inputs (the dataset_info.json files describe, not count)


def test_digests_equal_hashlib_for_every_size_around_the_read_size(tmp_path):
    import hashlib

    from pipeline.io import stat_and_digest

    for size in [0, 1, 4095, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 << 20]:
        path = tmp_path / f"f{size}"
        path.write_bytes(os.urandom(size))
        assert stat_and_digest(path)[1] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_planning_yields_a_shard_before_it_reads_the_next_ones_inputs(tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ["a.md", "b.md", "c.md", "d.md"]:
        (docs / name).write_text(f"# {name}\n\ntext of {name}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    cfg = PrepareConfig(sources=["docs"], out=str(tmp_path / "out"), ingest={"shard_size": 2})
    planning = ShardPlanning(cfg)
    shards = iter(planning)
    first = next(shards)
    with pytest.raises(RuntimeError, match="once every shard has been planned"):
        assert planning.plan is None
    (docs / "c.md").write_text("# c.md\n\nchanged before planning read it\n", encoding="utf-8")
    planned = (first, *shards)
    assert [shard.key for shard in planned] == [shard.key for shard in plan_shards(cfg).shards]  # c.md read after
    assert planning.plan.shards == planned
    assert planning.plan.described == plan_shards(cfg).described


PARTS = st.lists(st.sampled_from(["a", "b", "..", ".", "docs", "x.md", "a b", "é"]), max_size=4)


@given(PARTS, PARTS, st.booleans(), st.booleans())
def test_relative_names_are_what_pathlib_says(root_parts, path_parts, root_absolute, path_absolute):
    """describe_file's name: relative_to(root).as_posix() when the path is inside the root, else the path."""
    root = Path("/" if root_absolute else ".", *root_parts)
    path = Path("/" if path_absolute else ".", *path_parts)
    try:
        expected = path.relative_to(root).as_posix()
    except ValueError:
        expected = str(path)
    assert relative_name(path, root) == expected
    if not path_absolute:  # a path inside the root
        assert relative_name(root / path, root) == (root / path).relative_to(root).as_posix()


def test_read_bytes_reads_every_size_whole_and_says_why_it_cannot(tmp_path):
    for size in [0, 1, 4095, (1 << 20) + 1]:
        path = tmp_path / f"f{size}"
        path.write_bytes(os.urandom(size))
        assert read_bytes(path, 1 << 30) == (path.read_bytes(), None)
    assert read_bytes(tmp_path / "f4095", 4094) == (None, ("too_large", "4095 bytes exceeds ingest.max_file_mb"))
    assert read_bytes(tmp_path / "missing", 10) == (None, ("unreadable", "No such file or directory"))
    os.mkfifo(tmp_path / "pipe")
    assert read_bytes(tmp_path / "pipe", 10)[1][0] == "not_a_file"


@pytest.mark.parametrize(
    ("files", "most", "sizes"),
    [(1200, 1000, [600, 600]), (1001, 1000, [501, 500]), (10_000, 1000, [1000] * 10), (5, 2, [2, 2, 1]), (3, 5, [3])],
)
def test_shards_are_cut_evenly_within_the_shard_size(tmp_path, monkeypatch, files, most, sizes):
    docs = tmp_path / "docs"
    docs.mkdir()
    for number in range(files):
        (docs / f"{number:05d}.md").write_text(f"# {number}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    plan = plan_shards(PrepareConfig(sources=["docs"], out=str(tmp_path / "out"), ingest={"shard_size": most}))
    assert [len(shard.files) for shard in plan.shards] == sizes
    assert [source.name for shard in plan.shards for source in shard.files] == sorted(
        f"docs/{number:05d}.md" for number in range(files)
    )
