"""Q/A blocks: `Q:` (or `Question:`) lines followed by `A:` (or `Answer:`) lines; answers may wrap."""

import re
from collections.abc import Iterator

from pipeline.blocks import Block
from pipeline.config import GenerateConfig
from pipeline.generate.common import example, pair

QA_PAIR = re.compile(
    r"^(?:Q|Question)\s*:[ \t]*(?P<q>\S.*(?:\n(?!(?:A|Answer)\s*:)\S.*)*)\n(?:A|Answer)\s*:[ \t]*"
    r"(?P<a>\S.*(?:\n(?!(?:Q|A|Question|Answer)\s*:)\S.*)*)",
    re.MULTILINE | re.IGNORECASE,
)


def extract(section: dict, blocks: list[Block], cfg: GenerateConfig) -> Iterator[dict]:
    offset = section["body_start"]
    for block in blocks:
        if block.kind != "qa":
            continue
        for match in QA_PAIR.finditer(block.text):
            question = " ".join(match.group("q").split())
            start = offset + block.start + match.start("a")
            yield example(section, cfg, "qa", pair(question, match.group("a")), start, start + len(match.group("a")))
