"""Table rows: one grounded example per row and value column, keyed by the row's first cell."""

from collections.abc import Iterator

from pipeline.blocks import Block, table_cells
from pipeline.config import GenerateConfig
from pipeline.generate.common import choose, example, lower_first, pair

TEMPLATES = (
    "What {verb} the {column} for {key}?",
    "What {verb} the {column} of {key}?",
    "Give the {column} for {key}.",
)


def extract(section: dict, blocks: list[Block], cfg: GenerateConfig) -> Iterator[dict]:
    offset = section["body_start"]
    for block in blocks:
        if block.kind != "table":
            continue
        header, rows = table_cells(block)
        if len(header) < 2:
            continue
        for cells in rows:
            key = cells[0][0] if cells else ""
            if not key:
                continue
            for column, (value, start, end) in zip(header[1:], cells[1:], strict=False):
                if not value or not column or value in ("-", "—", "n/a"):
                    continue
                template = choose(TEMPLATES, cfg.seed, section["doc_id"], key, column)
                plural = column.endswith("s") and not column.endswith(("ss", "us", "is"))
                question = template.format(column=lower_first(column), key=key, verb="are" if plural else "is")
                yield example(section, cfg, "table_row", pair(question, value), offset + start, offset + end)
