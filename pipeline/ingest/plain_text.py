"""Plain text (.txt) without explicit structure -> Markdown headings on its heading and question lines.

A text file that already has headings the section parser reads (an ATX `#` line or a setext underline)
is left as its author wrote it. Otherwise a line becomes a heading only when everything says so, since
a wrong heading cuts a paragraph in two (precision first). The line must:

- start a block (be the first line, or follow a blank line) and be followed by a paragraph, on the next
  line or after one or two blank lines. A paragraph begins with a capital, a digit, a quote or a bracket,
  is not a list, has at least `PARAGRAPH_WORDS` words and ends like prose (. ! ? : ; or a closing quote
  or bracket);
- be short (at most `HEADING_WORDS` words), start with a capital or a digit, end without punctuation
  (. , ; : ! - or #) and not in a word that carries a sentence on (and, the, of, with, ...);
- not be a list item, a `Key: value` line (unless the key is numbered, as in "Step 3: Bleed the
  radiators"), a one-word all-caps banner (NOTE, WARNING), a date or a number alone, or a greeting
  or a sign-off (Hi Sam, Kind regards);
- when its paragraph follows on the very next line, end early: the paragraph's first word would have
  fitted on it (the line width is the 95th percentile of the text's line lengths), so the break was
  made by hand, not by wrapping.

Such a line becomes `## Line`. A question (a line ending in "?", at most `QUESTION_WORDS` words, not
`Q:`) in the same place, followed by its answer (a paragraph of any length or a list), becomes
`### Question?`, which the FAQ extractor pairs with the answer. Nothing else in the text changes: the
markers are put before whole lines.
"""

import re

from pipeline.sections import find_headings

HEADING_WORDS = 10
QUESTION_WORDS = 20
PARAGRAPH_WORDS = 5
ITEM = re.compile(r"^([-*+•·▪–—]|\d{1,3}[.)]|[a-z][.)])\s")
KEY_VALUE = re.compile(r"^(?P<key>[^:]{1,40}):\s+\S")
ENDS_PROSE = re.compile(r"[.!?:;)\]\"'”’…]$")
NO_HEADING_END = (".", ",", ";", ":", "!", "?", "-", "–", "—", "#", "\\", "/", "&", "+", "=")
CARRIES_ON = frozenset(
    "a an the and or nor but of to in on at by for with from as that which who whose is are was were be "
    "been if than then so because into onto per via my your our their its this these those we you i".split()
)
DATE_WORDS = re.compile(
    r"\d+(st|nd|rd|th)?|\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?"
    r"|oct(ober)?|nov(ember)?|dec(ember)?|mon(day)?|tue(s(day)?)?|wed(nesday)?|thu(rs(day)?)?|fri(day)?"
    r"|sat(urday)?|sun(day)?|am|pm|q[1-4]|fy|h[12]|utc|gmt)\b",
    re.I,
)
LETTERS = re.compile(r"[^\W\d_]{2}")
# A greeting, or a sign-off with at most a name after it: "Hi Sam", "Kind regards", "Thanks Tom".
GREETING = re.compile(
    r"^((hi|hello|hey|dear|greetings|good (morning|afternoon|evening))\b"
    r"|((kind|best|warm|many) (regards|wishes|thanks)|regards|thanks|thank you|cheers|all the best"
    r"|yours( sincerely| faithfully| truly)?|sincerely)(\s+\S+){0,2}$)",
    re.I,
)
QA_LINE = re.compile(r"^(Q|Question|A|Answer)\s*:", re.I)


CONTINUES = re.compile(r"^[a-z0-9(\"“‘']")  # a line that goes on the sentence above it
ENDS = re.compile(r"[.!?:;]\s*$|^\s*(?:#|[-*+•]\s|\d{1,3}[.)]\s|\|)")  # a finished line, a heading, list item or row


def unwrap_lines(text: str) -> str:
    """Text wrapped at a fixed width ("... needs\nteam lead approval"), joined back into its sentences, as an
    editor shows it: a line near the text's width that does not end a sentence, followed by one that starts in
    lower case, is one line. Short lines (a title), lists, headings and table rows keep their breaks."""
    lines = text.split("\n")
    wrap = max(40, int(0.6 * max((len(line) for line in lines), default=0)))  # a wrapped line reaches near the width
    out: list[str] = []
    for line in lines:
        previous = out[-1] if out else ""
        wrapped = len(previous.split("\n")[-1]) >= wrap if previous else False
        if wrapped and line.strip() and CONTINUES.match(line.strip()) and not ENDS.search(previous):
            out[-1] = f"{previous.rstrip()} {line.strip()}"
        else:
            out.append(line)
    return "\n".join(out)


def plain_text_to_markdown(text: str) -> str:
    """The text with `## ` before its heading lines and `### ` before its question lines (see the module)."""
    if not text.strip() or next(find_headings(text), None) is not None:
        return text
    lines = text.split("\n")
    clean = [line.strip() for line in lines]
    width = line_width(clean)
    marked = list(lines)
    for index, line in enumerate(clean):
        if not line or (index and clean[index - 1]):
            continue  # only the first line of a block
        start = next((ahead for ahead in range(index + 1, min(index + 4, len(clean))) if clean[ahead]), None)
        if start is None:
            continue
        follow = block(clean, start)
        if start == index + 1 and not deliberate_break(line, follow[0], width):
            continue
        if asks(line) and answers(follow):
            marked[index] = f"### {lines[index]}"
        elif heading(line) and paragraph(follow):
            marked[index] = f"## {lines[index]}"
    return "\n".join(marked)


def line_width(clean: list[str]) -> int:
    """The text's wrapping width: the 95th percentile of its line lengths (an odd long line does not count)."""
    lengths = sorted(len(line) for line in clean if line)
    return lengths[min(len(lengths) - 1, int(0.95 * len(lengths)))] if lengths else 0


def block(clean: list[str], start: int) -> list[str]:
    end = start
    while end < len(clean) and clean[end]:
        end += 1
    return clean[start:end]


def deliberate_break(line: str, next_line: str, width: int) -> bool:
    """The next line's first word would have fitted after this line: it was not wrapped there."""
    return len(line) + 1 + len(next_line.split()[0]) <= width


def heading(line: str) -> bool:
    words = line.split()
    if not 0 < len(words) <= HEADING_WORDS or not starts_like_a_title(line):
        return False
    if line.endswith(NO_HEADING_END) or words[-1].casefold() in CARRIES_ON or ITEM.match(line):
        return False
    if len(words) == 1 and line.isupper():
        return False  # a banner: NOTE, WARNING, IMPORTANT
    key_value = KEY_VALUE.match(line)
    if key_value and not (
        any(char.isdigit() for char in key_value["key"]) and len(line[key_value.end() - 1 :].split()) >= 2
    ):
        return False  # a label and its value, unless the label is numbered: "Step 3: Bleed the radiators"
    return bool(LETTERS.search(DATE_WORDS.sub(" ", line))) and not GREETING.match(line)


def asks(line: str) -> bool:
    words = line.split()
    return (
        line.endswith("?")
        and 0 < len(words) <= QUESTION_WORDS
        and starts_like_a_title(line)
        and LETTERS.search(line) is not None
        and not ITEM.match(line)
        and not QA_LINE.match(line)
        and not KEY_VALUE.match(line)
    )


def starts_like_a_title(line: str) -> bool:
    return line[:1].isupper() or line[:1].isdigit()


def paragraph(lines: list[str]) -> bool:
    """Prose: starts with a capital, digit, quote or bracket, not a list, long enough, ends like a sentence."""
    words = sum(len(line.split()) for line in lines)
    return (
        answers(lines) and not ITEM.match(lines[0]) and words >= PARAGRAPH_WORDS and bool(ENDS_PROSE.search(lines[-1]))
    )


def answers(lines: list[str]) -> bool:
    """An answer: prose or a list that does not start in mid-sentence and is not itself a question or Q/A line."""
    first = lines[0]
    return (
        not first[:1].islower()
        and not asks(first)
        and not QA_LINE.match(first)
        and (bool(ENDS_PROSE.search(lines[-1])) or bool(ITEM.match(first)))
    )
