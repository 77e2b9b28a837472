"""Definitional sentences in prose: "The X is a ...", "X is the ..." -> "What is X?" answered by the sentence."""

import re
from collections.abc import Iterator

from pipeline.blocks import Block
from pipeline.config import GenerateConfig
from pipeline.generate.common import example, pair
from pipeline.sentences import sentence_spans

DEFINES = re.compile(
    r"^(?P<term>(?:The |An? )?[A-Z][\w\-’'&+/]*(?: [A-Z0-9][\w\-’'&+/]*| of| for| and){0,5}) "
    r"(?P<verb>is|are|refers to|means) (?:an?|the|our|your|a type of|one of) \S"
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
            subject = term[:1].lower() + term[1:] if term.startswith(("The ", "A ", "An ")) else term
            verb = "are" if match.group("verb") == "are" else "is"
            question = f"What {verb} {subject}?"
            yield example(
                section,
                cfg,
                "definition",
                pair(question, sentence),
                offset + block.start + start,
                offset + block.start + end,
            )
