"""Extracted rows (dicts) -> an EXAMPLE-shaped frame, fast.

polars reads a list of dicts in one call, but a nested column (`messages`, a list of structs) costs it about
seven times the rest of the row: building the frame took a tenth of the extract stage at 100k examples. So the
flat columns are read as dicts, the turns as two flat string columns, and the turns are put back into one list
per row by a group-by in row order. The frame is equal to `pl.DataFrame(rows, schema=schema)`
(tests/test_generate_rows.py).
"""

from collections.abc import Mapping
from typing import Any

import polars as pl

from pipeline.records import DType

TURN = {"role": pl.String, "content": pl.String}


def rows_frame(rows: list[dict], schema: Mapping[str, DType]) -> pl.DataFrame:
    """The rows as a frame of `schema` (keys outside it ignored, keys it names and a row lacks null)."""
    conversations: list[Any] = [row.get("messages") for row in rows]
    if "messages" not in schema or not rows or not all(isinstance(turns, list) and turns for turns in conversations):
        return pl.DataFrame(rows, schema=schema)  # no turns to put back, or a row whose list a group-by would lose
    flat = pl.DataFrame(rows, schema={name: dtype for name, dtype in schema.items() if name != "messages"})
    turns = [turn for conversation in conversations for turn in conversation]
    lengths = pl.Series([len(conversation) for conversation in conversations], dtype=pl.UInt32)
    messages = (
        pl.DataFrame({name: [turn.get(name) for turn in turns] for name in TURN}, schema=TURN)
        .with_columns(_row=pl.int_range(len(rows), dtype=pl.UInt32).repeat_by(lengths).explode())
        .group_by("_row", maintain_order=True)
        .agg(messages=pl.struct(*TURN))
    )
    return flat.with_columns(messages["messages"].cast(schema["messages"])).select(list(schema))
