"""Glossaries and definition lists: `**Term**: definition` anywhere, `Term: definition` in a glossary section.

Plain `Term: text` lines are only trusted under a heading that says glossary/definitions/terms,
because elsewhere the same shape is a label ("Note: ...") or a speaker in a transcript.
"""

import re
from collections.abc import Iterator

from pipeline.blocks import BOLD_TERM, PLAIN_TERM, Block
from pipeline.config import GenerateConfig
from pipeline.generate.common import choose, example, pair
from pipeline.generate.subject import VERBS, WORD3, clean_heading, is_name
from pipeline.generate.verbs import lemmas

GLOSSARY_SECTION = re.compile(r"\b(?:glossary|definitions|terms|terminology|abbreviations|acronyms|key words)\b", re.I)
TEMPLATES = ("What does {term} mean?", "What is meant by {term}?", "What {verb} {term}?")
ACRONYM = "What does {term} stand for?"
SHORT_ACRONYM = "What does the acronym {term} stand for?"
SHORT_TERM = "What does the term {term} mean?"
DEFINING = re.compile(
    r"^(?:A|An|The|Any|Each)\s+[a-z]|^[A-Z][\w-]+(?: [A-Z][\w-]+)*[.,]\s"
)  # "A method ...", "Authority to Operate."
# Openings of text that is not a definition: the page speaking ("We also provide"), a fragment ("means: ..."),
# or a description of a group or channel ("A space for Black TTS staff members").
NOT_A_DEFINITION = re.compile(
    r"^(?:we|you|our|your|here|there|means|see|please)\b|^(?:an? |the )?(?:private |public )?(?:space|place|channel|"
    r"group|forum|home) (?:for|where|to)\b",
    re.I,
)
NOT_A_TERM = re.compile(r"^(?:your|our|my|their|his|her|its|we|you|they|it|this|that|note|tip|example|warning)\b", re.I)


def extract(section: dict, blocks: list[Block], cfg: GenerateConfig) -> Iterator[dict]:
    offset = section["body_start"]
    candidates = [  # a definition line needs a bold term (BOLD_TERM) or a colon (PLAIN_TERM)
        block
        for block in blocks
        if block.kind in ("definitions", "paragraph", "list") and ("**" in block.text or ":" in block.text)
    ]
    if not candidates:
        return
    trusted_plain = bool(GLOSSARY_SECTION.search(" ".join(section["section"].split(" > ")[-2:]) or section["title"]))
    for block in candidates:
        for term, start, end in definitions(block, trusted_plain):
            if not defines_term(term, section["body"][start:end], trusted_plain):
                continue
            plural = " and " in term or (term.endswith("s") and term.split()[-1].islower() and not term.endswith("ss"))
            answer = section["body"][start:end]
            template = choose(TEMPLATES, cfg.seed, section["doc_id"], term)
            short = not WORD3.search(term)  # "CO", "508": name what kind of word is asked about
            if acronym(term) and expands(term, answer):  # "ATO" -> "Authority to Operate"
                template = SHORT_ACRONYM if short else ACRONYM
            elif acronym(term) and short:
                continue  # "18F": a name, not an abbreviation, and "What is 18F?" names too little to ask
            elif acronym(term):
                template = "What is {term}?"
            elif short:
                template = SHORT_TERM
            if ordinary_term(term, section["body"]):  # "Backup reserve" -> "What does backup reserve mean?"
                term = term[:1].lower() + term[1:]
                template = choose(COMMON_TEMPLATES, cfg.seed, section["doc_id"], term)
            question = template.format(term=term, verb="are" if plural else "is")
            yield example(section, cfg, "glossary", pair(question, answer), offset + start, offset + end)


COMMON_TEMPLATES = ("What does {term} mean?", "What is meant by {term}?")


def ordinary_term(term: str, body: str) -> bool:
    """A term made of ordinary words written with a capital only because it starts a glossary line ("String",
    "Backup reserve"): asked about in lower case, and never "What is Backup reserve?" without an article."""
    words = term.split()
    return (
        term[:1].isupper()
        and all(word[1:].islower() or not word[1:] for word in words)
        and all(word.islower() for word in words[1:])
        and all(lemmas(word) for word in words)
        and not re.search(rf"(?<=[a-z,;] ){re.escape(words[0])}\b", body)  # the body writes it as a name
    )


def acronym(term: str) -> bool:
    return " " not in term and len(term) <= 8 and sum(char.isupper() for char in term) >= 2


def expands(term: str, definition: str) -> bool:
    """The definition opens with the words the acronym abbreviates: "ATO" -> "Authority to Operate",
    "2FA" -> "Two-factor authentication", "CoEs" -> "The Centers of Excellence"."""
    letters = [char.lower() for char in term if char.isupper()]
    words = [word for word in re.split(r"[\s/-]+", definition.strip())[: len(letters) + 4] if word]
    initials = [word[0].lower() for word in words if word[0].isalpha()]  # "Coefficient Of Performance": COP
    found = iter(initials[: len(letters) + 3])
    return bool(letters) and all(letter in found for letter in letters)


def defines_term(term: str, definition: str, in_glossary: bool) -> bool:
    """Whether "`term`: `definition`" is a definition a person would ask for, not a labelled paragraph.

    In a glossary every entry counts. Elsewhere a bold label is often a topic ("**Feedback**: this is a big
    topic...") or an instruction ("**Maintain a good rapport**: ..."): only a name or acronym with its
    expansion, or a term defined by a noun phrase ("A software development methodology ..."), counts.
    """
    first = term.split(" ", 1)[0].lower() if term else ""
    if not term or NOT_A_TERM.match(term) or first in VERBS or definition.rstrip().endswith("?"):
        return False
    if term.count("(") != term.count(")") or re.search(r",| from | and ", term) or NOT_A_DEFINITION.match(definition):
        return False  # "glossary (Tip", "Asian, Native Hawaiian, ..."; "We also provide ...", "A space for ..."
    if definition.split(" ", 1)[0].lower() in VERBS:
        return False  # "Download design kits ...": an instruction, not what the term means
    if not definition[:1].isupper() and not in_glossary:
        return False
    if in_glossary:
        return True
    return is_name(term) or bool(DEFINING.match(definition))


ITEM_MARK = re.compile(r"^\s*([-*+•]|\d{1,3}[.)])\s+")


def definitions(block: Block, trusted_plain: bool) -> Iterator[tuple[str, int, int]]:
    """(term, start, end) of each definition in the block, offsets in the body; a definition runs on over the
    lines that follow it (a wrapped line is not a new term), so it is never cut mid-sentence."""
    line_start, current = block.start, None
    for line in block.text.split("\n"):
        content = ITEM_MARK.sub("", line)
        lead = len(line) - len(content)
        match = BOLD_TERM.match(content) or (PLAIN_TERM.match(content) if trusted_plain else None)
        if match:
            if current:
                yield current
            start = line_start + lead + match.start("definition")
            current = (clean_heading(match.group("term")), start, start + len(match.group("definition")))
        elif current and content.strip() and lead == 0 and not line.lstrip().startswith(("-", "*", "+")):
            current = (current[0], current[1], line_start + len(line.rstrip()))
        elif current:
            yield current
            current = None
        line_start += len(line) + 1
    if current:
        yield current
