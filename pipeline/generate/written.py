"""How a section body writes a word: in lower case ("leave"), or capitalised mid-sentence as a name ("in Slack").

Phrasing a heading asks this of a few words (the heading's own), so each word is looked up where the body holds
it (`str.find`, then the pattern over that one run of word characters) instead of every word of the body being
collected into sets first: over the 100k bench corpus the sets took 0.36 s of the extract stage's 5.6 s, for a
handful of questions per body. The answers equal membership in the patterns' `findall` over the whole body
(tests/test_extract_equivalence.py, Hypothesis).
"""

import re
from functools import lru_cache

# A word in lower case (`\b[a-z][\w'’-]*\b`) and a capitalised word mid-sentence (`(?<=[a-z,;] )[A-Z][a-z][\w'’-]*`),
# written to open with their first letter and look behind it: the same matches, and re finds a pattern that opens
# with a character class by skipping ahead instead of trying every position.
LOWER_CASE_WORD = re.compile(r"[a-z](?<!\w[a-z])[\w'’-]*\b")
MID_SENTENCE_NAME = re.compile(r"[A-Z](?<=[a-z,;] [A-Z])[a-z][\w'’-]*")
JOINERS = "'’-"  # what both patterns take inside a word besides \w


def word_char(char: str) -> bool:
    """`[\\w'’-]`: re's \\w on str patterns is `isalnum()` or the underscore."""
    return char.isalnum() or char == "_" or char in JOINERS


def is_word(text: str) -> bool:
    return all(map(word_char, text))


def run_around(body: str, start: int, end: int) -> tuple[int, int]:
    """The run of word characters (`word_char`) holding body[start:end]: no match of either pattern crosses
    a character outside it, so a run's matches are the body's matches inside it."""
    while start > 0 and word_char(body[start - 1]):
        start -= 1
    while end < len(body) and word_char(body[end]):
        end += 1
    return start, end


def written_lower(word: str, body: str) -> bool:
    """`word in LOWER_CASE_WORD.findall(body)`. Each place the body holds `word` is read with the pattern over its
    run alone (the run's edges are no word characters, so the pattern's look-behind and its closing `\\b` see the
    same there as in the whole body), which also excludes a place inside a longer word ("of" in "state-of-the-art")."""
    if not word or not "a" <= word[0] <= "z" or not is_word(word):
        return False
    at = body.find(word)
    while at >= 0:
        start, end = run_around(body, at, at + len(word))
        if word in LOWER_CASE_WORD.findall(body, start, end):
            return True
        at = body.find(word, end)  # the run is read whole: its other places are answered
    return False


def written_as_name(word: str, body: str) -> bool:
    """`word in MID_SENTENCE_NAME.findall(body)`: the body holds `word` after a lower-case letter, comma or semicolon
    and one space, as a whole run of word characters (the pattern takes all it can; a space is no word character,
    so no earlier match can hold the place)."""
    if len(word) < 2 or not "A" <= word[0] <= "Z" or not "a" <= word[1] <= "z" or not is_word(word):
        return False
    at = body.find(word, 2)
    while at >= 0:
        after = at + len(word)
        before = body[at - 2]
        if (
            body[at - 1] == " "
            and ("a" <= before <= "z" or before in ",;")
            and (after == len(body) or not word_char(body[after]))
        ):
            return True
        at = body.find(word, at + 1)
    return False


@lru_cache(maxsize=64)
def named_words(body: str) -> frozenset[str]:
    """Every word the body writes capitalised mid-sentence, for a reader that asks of words a heading's
    ancestors and title hold as much as of its own (pipeline.generate.table)."""
    return frozenset(MID_SENTENCE_NAME.findall(body))
