"""A descriptive heading with a prose body -> an explain/describe instruction answered by that body."""

from collections.abc import Iterator

from pipeline.blocks import Block
from pipeline.config import GenerateConfig
from pipeline.generate.common import CONTAINER_HEADING, choose, example, pair, topic

TEMPLATES = {
    "noun": (
        "Explain {topic}.",
        "Describe {topic}.",
        "What should I know about {topic}?",
        "Can you give me an overview of {topic}?",
    ),
    "gerund": ("How do I go about {topic}?", "Explain {topic}.", "What is involved in {topic}?"),
    "wh": ("Explain {topic}.", "Tell me {topic}.", "Can you explain {topic}?"),
}
PROSE = ("paragraph", "list")


def extract(section: dict, blocks: list[Block], cfg: GenerateConfig) -> Iterator[dict]:
    # Text before the first heading (a whole headingless record, such as a CSV row) is about the title.
    heading = section["heading"] or (section["title"] if section["level"] == 0 else "")
    if not heading or heading.endswith("?") or CONTAINER_HEADING.search(heading):
        return
    if any(block.kind in ("qa", "dialogue", "definitions") for block in blocks):
        return  # those blocks have extractors of their own
    answer_blocks = [block for block in blocks if block.kind in PROSE]
    paragraphs = [block for block in answer_blocks if block.kind == "paragraph"]
    if not paragraphs or sum(len(block.text) for block in answer_blocks) < cfg.min_body_chars:
        return
    start, end = answer_blocks[0].start, answer_blocks[-1].end
    offset = section["body_start"]
    prompt = heading_prompt({**section, "heading": heading}, cfg.seed)
    yield example(section, cfg, "heading", pair(prompt, section["body"][start:end]), offset + start, offset + end)


def heading_prompt(section: dict, seed: int) -> str:
    heading, title = section["heading"], section["title"]
    shape, phrase = topic(heading)
    if section["level"] > 1 and heading != title and title:
        phrase = f"{phrase} ({title})"
    return choose(TEMPLATES[shape], seed, section["doc_id"], section["section"]).format(topic=phrase)
