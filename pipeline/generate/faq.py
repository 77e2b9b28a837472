"""FAQ: a heading that is a question answered by its section, or a bold question line over its answer."""

import re
from collections.abc import Iterator

from pipeline.blocks import Block
from pipeline.config import GenerateConfig
from pipeline.generate.common import example, pair

QUESTION_LINE = re.compile(r"^\*{0,2}(?P<q>[^\n*]{8,200}\?)\*{0,2}\n(?P<a>\S[\s\S]*)$")


def extract(section: dict, blocks: list[Block], cfg: GenerateConfig) -> Iterator[dict]:
    offset = section["body_start"]
    if section["heading"].endswith("?") and blocks and not any(block.kind in ("qa", "dialogue") for block in blocks):
        answer_blocks = [block for block in blocks if block.kind in ("paragraph", "list", "table")]
        if answer_blocks:
            start, end = answer_blocks[0].start, answer_blocks[-1].end
            answer = section["body"][start:end]
            yield example(section, cfg, "faq", pair(section["heading"], answer), offset + start, offset + end)
        return
    for block in blocks:
        match = QUESTION_LINE.match(block.text) if block.kind == "paragraph" else None
        if match:
            start = block.start + match.start("a")
            question = " ".join(match.group("q").split())
            yield example(section, cfg, "faq", pair(question, match.group("a")), offset + start, offset + block.end)
