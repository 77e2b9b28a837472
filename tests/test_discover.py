"""Finding input files: exclude patterns compiled once mean what fnmatch and PurePath.match mean per file."""

import fnmatch
import os
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import IngestConfig
from pipeline.ingest.files import SourceFile, discover_files, exclusion

PARTS = st.sampled_from(["a", "b", "ab", ".a", ".git", "x.md", "ftprep.toml", "dataset_info.json", "[a]", "é"])
PATTERN_PARTS = st.sampled_from(["*", "**", "?", ".*", "a", "*.md", "[a-b]", "[!a]*", "ftprep.toml", "x.md", "é"])
PATHS = st.lists(PARTS, min_size=1, max_size=4).map("/".join)
PATTERNS = st.builds(
    lambda anchored, parts: ("/" if anchored else "") + "/".join(parts),
    st.booleans(),
    st.lists(PATTERN_PARTS, min_size=1, max_size=4),
)


def excluded_per_file(relative: str, patterns: list[str]) -> bool:
    """The rule as it was written first: fnmatch on the whole path, or PurePath.match from the right."""
    path = PurePosixPath(relative)
    return any(fnmatch.fnmatchcase(relative, pattern) or path.match(pattern) for pattern in patterns)


@settings(max_examples=500, deadline=None)
@given(PATHS, st.lists(PATTERNS, max_size=4))
def test_compiled_patterns_exclude_what_fnmatch_and_purepath_match_exclude(relative, patterns):
    assert exclusion(tuple(patterns))(relative) == excluded_per_file(relative, patterns)


@pytest.mark.parametrize("relative", ["a/.git/x.md", ".a", "b/ftprep.toml", "x.md", "a/b/x.md", "a/.b/c/x.md"])
def test_the_default_patterns(relative):
    patterns = IngestConfig().exclude
    assert exclusion(tuple(patterns))(relative) == excluded_per_file(relative, patterns)


def test_an_empty_pattern_still_fails_as_purepath_match_does():
    with pytest.raises(ValueError, match="empty pattern"):
        exclusion(("",))("a/b")


def test_files_are_found_in_name_order_with_their_paths_inside_the_root(tmp_path):
    root = tmp_path / "docs"
    for name in ["b/z.md", "a.md", "b/c/y.md", ".hidden/x.md", "b/.x.md", "ftprep.toml"]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x", encoding="utf-8")
    found = list(discover_files([root], IngestConfig().exclude))
    expected = sorted(
        (
            SourceFile(Path(folder, name), f"docs/{Path(folder, name).relative_to(root).as_posix()}")
            for folder, _, names in os.walk(root)
            for name in names
            if not excluded_per_file(Path(folder, name).relative_to(root).as_posix(), IngestConfig().exclude)
        ),
        key=lambda source: source.name,
    )
    assert found == expected
    assert [source.name for source in found] == ["docs/a.md", "docs/b/c/y.md", "docs/b/z.md"]
