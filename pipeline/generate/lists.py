"""A section whose body is one list (steps, requirements, options): the heading asked as a question, the list as
the answer. The phrasing is pipeline.generate.subject's, as for prose sections."""

from collections.abc import Iterator

from pipeline.blocks import Block
from pipeline.config import GenerateConfig
from pipeline.generate.heading import whole_body


def extract(section: dict, blocks: list[Block], cfg: GenerateConfig) -> Iterator[dict]:
    prose = [block for block in blocks if block.kind in ("paragraph", "list")]
    if prose and all(block.kind == "list" for block in prose) and len(prose[0].text.split("\n")) >= 2:
        yield from whole_body(section, blocks, cfg, "list")
