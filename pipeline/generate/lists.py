"""Lists under a heading -> "What are the steps for ...?" (numbered) or "What are the ...?" (bulleted)."""

from collections.abc import Iterator

from pipeline.blocks import LIST_ITEM, Block
from pipeline.config import GenerateConfig
from pipeline.generate.common import CONTAINER_HEADING, choose, example, pair, topic

TEMPLATES = {
    ("steps", "noun"): ("What are the steps for {topic}?", "List the steps for {topic}."),
    ("steps", "gerund"): ("What are the steps for {topic}?", "How do I go about {topic}, step by step?"),
    ("items", "noun"): ("What are {topic}?", "List {topic}."),
    ("items", "gerund"): ("What does {topic} involve?", "List what {topic} involves."),
}
WH_TEMPLATES = ("Tell me {topic}.", "List {topic}.")


def extract(section: dict, blocks: list[Block], cfg: GenerateConfig) -> Iterator[dict]:
    heading = section["heading"]
    if not heading or heading.endswith("?") or CONTAINER_HEADING.search(heading):
        return
    lists = [block for block in blocks if block.kind == "list"]
    if len(lists) != 1 or len(lists[0].text.split("\n")) < 2:
        return  # one list that the heading names; several lists need more context than a heading
    block = lists[0]
    numbered = LIST_ITEM.match(block.text).group(1)[0].isdigit()  # type: ignore[union-attr]
    shape, phrase = topic(heading)
    if shape == "wh":
        templates = WH_TEMPLATES
    else:
        templates = TEMPLATES[("steps" if numbered and "step" not in phrase else "items", shape)]
    question = choose(templates, cfg.seed, section["doc_id"], section["section"]).format(topic=phrase)
    offset = section["body_start"]
    yield example(section, cfg, "list", pair(question, block.text), offset + block.start, offset + block.end)
