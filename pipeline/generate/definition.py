"""Definitional sentences in prose: "The X is a ...", "X is the ..." -> "What is X?" answered by the sentence."""

import re
from collections.abc import Iterator

from pipeline.blocks import Block
from pipeline.config import GenerateConfig
from pipeline.generate.common import example, pair
from pipeline.generate.subject import VERBS, WORD3
from pipeline.sentences import sentence_spans

# A capitalised name, optionally ending in one common noun ("The Quick Pick shelf"), then a defining verb.
DEFINES = re.compile(
    r"^(?P<term>(?:The |An? )?[A-Z][\w\-’'&+/]*(?: [A-Z0-9][\w\-’'&+/]*| of| for| and){0,5}(?: [a-z]{3,12})?)\s+"
    r"(?P<verb>is|are|refers\s+to|means)\s+(?:an?|the|our|your|a\s+type\s+of|one\s+of)\s+\S"
)
NOT_A_TERM = {
    "it",
    "this",
    "that",
    "there",
    "these",
    "those",
    "he",
    "she",
    "they",
    "we",
    "you",
    "which",
    "what",
    "here",
}


def extract(section: dict, blocks: list[Block], cfg: GenerateConfig) -> Iterator[dict]:
    offset = section["body_start"]
    for block in blocks:
        if block.kind != "paragraph":
            continue
        for start, end in sentence_spans(block.text):
            sentence = block.text[start:end]
            match = DEFINES.match(sentence)
            if not match or "\n" in match.group("term") or match.group("term").split()[-1].lower() in NOT_A_TERM:
                continue
            term = match.group("term")
            if term.split(" ", 1)[0].lower() in VERBS or not WORD3.search(re.sub(r"^(?:The|An?) ", "", term)):
                continue  # "Return funding in a timely manner is ..." names an instruction, not a term
            subject = term[:1].lower() + term[1:] if term.startswith(("The ", "A ", "An ")) else term
            verb = "are" if match.group("verb") == "are" else "is"
            if term.split()[-1].lower() in NOT_A_TERM:
                continue
            question = f"What {verb} {subject}?"
            yield example(
                section,
                cfg,
                "definition",
                pair(question, sentence),
                offset + block.start + start,
                offset + block.start + end,
            )
