"""Sentence boundaries with character offsets, robust to the text real documents contain.

Splits after `.`, `!` or `?` followed by space and an upper-case letter, digit or quote, and also
where a full stop runs straight into the next capitalised word ("socialism.Humans lived"), which PDF
and HTML extraction produce often. It does not split after common abbreviations, single initials,
decimals ("3.5 kW"), version numbers or domain names ("brightwater.example").
"""

import re

ABBREVIATIONS = {
    "e.g", "i.e", "etc", "vs", "approx", "incl", "excl", "no", "nr", "fig", "ref", "dept", "min", "max",
    "mr", "mrs", "ms", "dr", "prof", "st", "mt", "jr", "sr", "inc", "ltd", "co", "corp", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "tel", "ca", "cf",
}  # fmt: skip
BOUNDARY = re.compile(r"""(?P<end>[.!?]["”’)\]]*)(?:\s+(?=["“‘(\[]?[A-Z0-9À-Ý])|(?=[A-Z][a-z]))""")
WORD_BEFORE = re.compile(r"(?:^|(?<=\s))([\w.]+)[.!?][\"”’)\]]*$")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, whitespace trimmed; together they cover every non-space character."""
    spans, start = [], 0
    for match in BOUNDARY.finditer(text):
        cut = match.end("end")
        if is_abbreviation(text[start:cut]):
            continue
        spans.append((start, cut))
        start = match.end()
    spans.append((start, len(text)))
    return [trimmed for span in spans if (trimmed := trim(text, *span))]


def is_abbreviation(sentence: str) -> bool:
    word = WORD_BEFORE.search(sentence)
    if not word:
        return False
    token = word.group(1).lower().rstrip(".")
    last = token.rsplit(".", 1)[-1]
    return token in ABBREVIATIONS or last in ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]
