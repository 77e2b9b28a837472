"""Token counts of very long texts in linear time, equal to tiktoken's wherever a text can be cut exactly.

tiktoken byte-pair encodes each piece of its pre-tokenizer split on its own; on one long piece (a 20 MB
run of one letter, a base64 blob) that costs about 1 µs per byte, ten times a text of words, and holds
the piece's whole merge state (1.3 GB for 20 MB). A long text is therefore counted in segments of about
SEGMENT characters, cut where a piece must begin: a space after a non-space character. In the split
patterns of cl100k_base and o200k_base a space is only ever the first character of a piece or part of a
whitespace-only piece, so the segments' counts add up to tiktoken's count of the whole text exactly
(tests/test_long_texts.py compares them). A stretch of more than SEGMENT characters with no such space
is one piece, and only it is cut at a fixed length: its count may then differ from tiktoken's by about
a token per cut (a 20 MB piece: a few hundred of millions), and equal chunks are counted once.
"""

import os
import re

import tiktoken

LONG_TEXT = 200_000  # characters; shorter texts go to tiktoken whole
SEGMENT = 100_000
NON_SPACE = re.compile(r"\S")
MEMO_LIMIT = 10_000
THREADS = max(1, min(4, os.cpu_count() or 1))


def count_tokens(
    encoding: tiktoken.Encoding,
    text: str,
    memo: dict[str, int] | None = None,
    long_text: int = LONG_TEXT,
    segment: int = SEGMENT,
) -> int:
    """`len(encoding.encode_ordinary(text))` in time linear in the text (see the module docstring)."""
    if len(text) <= long_text:
        return len(encoding.encode_ordinary(text))
    memo = {} if memo is None else memo
    parts, start = [], 0
    while start < len(text):
        end = min(len(text), start + segment)
        if end < len(text):
            middle = start + segment // 2
            cut = next_cut(text, middle, end + segment // 2)  # bounded windows: linear overall
            cut = cut if cut != -1 else last_cut(text, start + 1, middle)  # at most once per stretch without one
            end = cut if cut != -1 else end
        parts.append(text[start:end])
        start = end
    unknown = list(dict.fromkeys(part for part in parts if part not in memo))
    # tiktoken encodes a batch on threads with the GIL released: a 20 MB text on every core, not one
    counts = [len(tokens) for tokens in encoding.encode_ordinary_batch(unknown, num_threads=THREADS)]
    known = dict(zip(unknown, counts, strict=True))
    if len(memo) < MEMO_LIMIT:
        memo.update(list(known.items())[: MEMO_LIMIT - len(memo)])
    return sum(memo[part] if part in memo else known[part] for part in parts)


def next_cut(text: str, low: int, high: int) -> int:
    """The first space in text[low:high] after a non-space character, or -1 (memchr-speed `find`s; a
    whitespace run is skipped in one regex step, so a text of spaces costs no Python loop per space)."""
    index = text.find(" ", max(low, 1), high)
    while index != -1:
        if not text[index - 1].isspace():
            return index
        visible = NON_SPACE.search(text, index, high)
        if visible is None:
            return -1
        index = text.find(" ", visible.start(), high)
    return -1


def last_cut(text: str, low: int, high: int) -> int:
    """The last space in text[low:high] after a non-space character, or -1 (a whitespace run is skipped
    with one C-level rstrip)."""
    index = text.rfind(" ", low, high)
    while index > low:
        if not text[index - 1].isspace():
            return index
        run = low + len(text[low:index].rstrip())  # where the whitespace run before `index` starts
        if run > low and text[run] == " ":
            return run
        index = text.rfind(" ", low, run)
    return -1
