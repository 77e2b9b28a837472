"""The faster forms of shard-stage checks say exactly what the forms they replaced said, on varied inputs.

Each old form is restated here as it was (a regex scan, a per-call `PurePath.match`, a count over the whole
text), so a change to either side that makes them disagree fails.
"""

import fnmatch
import unicodedata
from pathlib import PurePosixPath

import polars as pl
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal, assert_series_equal

from pipeline.checks.targets import openai_chat
from pipeline.ingest.files import is_excluded
from pipeline.ingest.text import FTFY, INVISIBLE, NEEDS_FTFY, needs_ftfy, normalize_text
from pipeline.pair_quality import AUTOLINK, LINK, NAVIGATION, REF_LINK, URL, has_words, letters_and_digits, mostly_links
from pipeline.records import EXAMPLE, conversation

# Characters that exercise every branch: ASCII controls and whitespace, "&", Unicode spaces, invisible characters,
# combining marks, non-ASCII letters.
PIECES = ["a", "B", "7", " ", "  ", "\t", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1f", "\x00", "\x7f", "&"]
PIECES += ["é", "e\u0301", "\u00a0", "\u2003", "\u3000", "\u200b", "\u00ad", "\u202e", "\ufeff", "\x85", ".", "-"]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


def normalize_before(text: str) -> str:
    """normalize_text as it was: a regex scan decides on ftfy, every text is NFC'd and split into lines."""
    import ftfy

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if NEEDS_FTFY.search(text):
        text = ftfy.fix_text(text, FTFY)
    text = INVISIBLE.sub("", unicodedata.normalize("NFC", text)).replace("\u00a0", " ")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


@given(TEXTS)
def test_needs_ftfy_is_the_regex(text: str) -> None:
    assert needs_ftfy(text) == bool(NEEDS_FTFY.search(text))


@given(TEXTS)
def test_normalize_text_is_unchanged(text: str) -> None:
    assert normalize_text(text) == normalize_before(text)


def excluded_before(relative: PurePosixPath, patterns: list[str]) -> bool:
    text = relative.as_posix()
    return any(fnmatch.fnmatchcase(text, pattern) or relative.match(pattern) for pattern in patterns)


PATTERNS = [".*", "**/.*", "**/.*/**", "ftprep.toml", "**/ftprep.toml", "dataset_info.json", "*.md", "a/*"]
PATTERNS += ["a/**/b", "*/x.txt", "[ab]*", "/a", "/a/b", "//a", "./a", "a//b", "a/./b", "?", "**", "*/*/*"]
NAMES = ["a", "b", ".h", "x.txt", "ftprep.toml", "c.md", "dataset_info.json", "**", "ab"]


@given(
    st.lists(st.sampled_from(NAMES), min_size=1, max_size=4),
    st.lists(st.sampled_from(PATTERNS), max_size=5),
)
def test_is_excluded_is_purepath_match(parts: list[str], patterns: list[str]) -> None:
    relative = PurePosixPath("/".join(parts))
    assert is_excluded(relative, patterns) == excluded_before(relative, patterns)


WORDY = st.lists(st.sampled_from(["a", "bc", " ", "\n", "\t", "\u00a0", "\u2003", ".", "é"]), max_size=12).map("".join)


@given(st.lists(st.one_of(st.none(), WORDY), min_size=1, max_size=20), st.integers(1, 5))
def test_has_words_is_a_count(texts: list[str | None], words: int) -> None:
    frame = pl.DataFrame({"t": texts}, schema={"t": pl.String})
    counted = frame.select(pl.col("t").str.count_matches(r"\S+") >= words).to_series()
    assert_series_equal(frame.select(has_words(pl.col("t"), words)).to_series(), counted)


@given(st.lists(st.one_of(st.none(), WORDY), min_size=1, max_size=20))
def test_last_line_and_letters_are_the_regex_forms(texts: list[str | None]) -> None:
    frame = pl.DataFrame({"t": texts}, schema={"t": pl.String})
    text = pl.col("t")
    assert_series_equal(
        frame.select(text.str.split("\n").list.last()).to_series(),
        frame.select(text.str.extract(r"([^\n]*)\z")).to_series(),
    )
    deleted = text.str.replace_all(r"[^\p{L}\p{N}]+", "").str.len_chars()
    assert_series_equal(frame.select(letters_and_digits(text)).to_series(), frame.select(deleted).to_series())


MESSAGES = st.lists(
    st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant"]), "content": st.one_of(st.none(), WORDY)}),
    max_size=3,
)


@given(st.lists(st.one_of(st.none(), MESSAGES), min_size=1, max_size=8), st.booleans())
def test_openai_records_without_system_are_the_conversation(messages: list, with_system: bool) -> None:
    systems = [f"s{index}" if with_system and index % 2 else None for index in range(len(messages))]
    frame = pl.DataFrame(
        {"system": systems, "messages": messages}, schema={n: EXAMPLE[n] for n in ("system", "messages")}
    )
    assert_frame_equal(openai_chat.to_records(frame), frame.select(messages=conversation()))


LINKY = st.lists(
    st.sampled_from(["[a](x)", "[b][1]", "<https://x.y>", "https://x.y/z", "Next: b", "\n", " ", "word", "é", "."]),
    max_size=8,
).map("".join)


@given(st.lists(st.one_of(st.none(), LINKY), min_size=1, max_size=20))
def test_mostly_links_is_unchanged(texts: list[str | None]) -> None:
    frame = pl.DataFrame({"_answer_prose": texts}, schema={"_answer_prose": pl.String})
    prose = pl.col("_answer_prose")
    visible = prose.str.replace_all(LINK, "$1").str.replace_all(REF_LINK, "$1").str.replace_all(AUTOLINK, "$1")
    rest = prose.str.replace_all(LINK, " ").str.replace_all(REF_LINK, " ").str.replace_all(AUTOLINK, " ")
    rest = rest.str.replace_all(URL, " ").str.replace_all(NAVIGATION, " ")
    letters = [text.str.replace_all(r"[^\p{L}\p{N}]+", "").str.len_chars() for text in (visible, rest)]
    before = (letters[0] > 0) & (letters[1] * 2 < letters[0])
    assert_series_equal(frame.select(mostly_links()).to_series(), frame.select(before).to_series(), check_names=False)
