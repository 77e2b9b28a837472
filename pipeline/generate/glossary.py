"""Glossaries and definition lists: `**Term**: definition` anywhere, `Term: definition` in a glossary section.

Plain `Term: text` lines are only trusted under a heading that says glossary/definitions/terms,
because elsewhere the same shape is a label ("Note: ...") or a speaker in a transcript.
"""

import re
from collections.abc import Iterator

from pipeline.blocks import BOLD_TERM, PLAIN_TERM, Block
from pipeline.config import GenerateConfig
from pipeline.generate.common import choose, example, pair
from pipeline.generate.subject import clean_heading

GLOSSARY_SECTION = re.compile(r"glossary|definitions|terms|terminology|abbreviations|key words", re.I)
TEMPLATES = ("What does {term} mean?", "What is meant by {term}?", "Define {term}.", "What {verb} {term}?")
NOT_A_TERM = re.compile(r"^(?:your|our|my|their|his|her|its|we|you|they|it|this|that|note|tip|example|warning)\b", re.I)


def extract(section: dict, blocks: list[Block], cfg: GenerateConfig) -> Iterator[dict]:
    offset = section["body_start"]
    trusted_plain = bool(GLOSSARY_SECTION.search(section["section"] or ""))
    for block in blocks:
        if block.kind not in ("definitions", "paragraph", "list"):
            continue
        line_start = block.start
        for line in block.text.split("\n"):
            content = re.sub(r"^\s*([-*+•]|\d{1,3}[.)])\s+", "", line)
            lead = len(line) - len(content)
            match = BOLD_TERM.match(content) or (PLAIN_TERM.match(content) if trusted_plain else None)
            if match:
                term = clean_heading(match.group("term"))
                if not term or NOT_A_TERM.match(term):
                    line_start += len(line) + 1
                    continue
                plural = " and " in term or (
                    term.endswith("s") and term.split()[-1].islower() and not term.endswith("ss")
                )
                template = choose(TEMPLATES, cfg.seed, section["doc_id"], term)
                question = template.format(term=term, verb="are" if plural else "is")
                start = offset + line_start + lead + match.start("definition")
                yield example(
                    section,
                    cfg,
                    "glossary",
                    pair(question, match.group("definition")),
                    start,
                    start + len(match.group("definition")),
                )
            line_start += len(line) + 1
