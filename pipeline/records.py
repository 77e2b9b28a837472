"""Frame schemas shared by every stage, the `Split` a stage returns, and stable record ids.

EXAMPLE is the canonical record: every generator produces it and every exporter consumes it.
REJECTED is EXAMPLE plus the reason columns; a rejected *document* is a REJECTED row whose
`kind` is "document", so one file (`rejects.jsonl`) accounts for everything that was not kept.
"""

import hashlib
from typing import NamedTuple, TypeAlias

import polars as pl

from pipeline.errors import DuplicateIdError
from pipeline.jsontext import compact_sorted

# A column type as schemas spell it: a class (pl.String) or an instance (pl.List(MESSAGE)). A dict literal
# mixing both needs this annotation; mypy would otherwise infer dict[str, object].
DType: TypeAlias = pl.DataType | type[pl.DataType]

MESSAGE = pl.Struct({"role": pl.String, "content": pl.String})

DOCUMENT = pl.Schema(
    {
        "doc_id": pl.String,  # sha256 of the source path (and line for record-per-line files)
        # source folder name + path inside it (or the file name); `file:LINE` for JSONL, `file#N` for JSON/CSV/Parquet
        "source": pl.String,
        "format": pl.String,  # md, txt, html, pdf, docx, record, dataset
        "title": pl.String,
        "text": pl.String,  # normalised text; every offset in SECTION and EXAMPLE points into it
    }
)

SECTION = pl.Schema(
    {
        "doc_id": pl.String,
        "source": pl.String,
        "section": pl.String,  # heading path, " > "-joined
        "heading": pl.String,  # the section's own heading ("" for text before the first heading)
        "level": pl.Int32,
        "title": pl.String,  # the document title, for context in generated prompts
        "body": pl.String,
        "body_start": pl.Int64,  # offsets of `body` in the document text
        "body_end": pl.Int64,
    }
)

_EXAMPLE_COLUMNS: dict[str, DType] = {
    "id": pl.String,
    "kind": pl.String,  # sft | preference | kto (| document, for rejected documents only)
    "task": pl.String,
    "system": pl.String,
    "messages": pl.List(MESSAGE),
    "chosen": pl.String,  # preference: the preferred answer; kto: the completion
    "rejected": pl.String,
    # how `rejected` was made: rating, wrong_section, other_document, truncated, llm_judge, imported
    "negative": pl.String,
    "label": pl.Boolean,  # kto: whether the completion is desirable
    "rationale": pl.String,  # why chosen beats rejected: scores, margin, judge principles
    "doc_id": pl.String,
    "source": pl.String,
    "section": pl.String,
    "span_start": pl.Int64,
    "span_end": pl.Int64,
    "generator": pl.String,
}
EXAMPLE = pl.Schema(_EXAMPLE_COLUMNS)

REJECT_COLUMNS = pl.Schema({"reject_stage": pl.String, "reject_reason": pl.String, "reject_detail": pl.String})
REJECTED = pl.Schema({**EXAMPLE, **REJECT_COLUMNS})


class Split(NamedTuple):
    """What a rejecting stage returns: rows it keeps and rows it rejects, together exactly its input."""

    kept: pl.DataFrame
    rejected: pl.DataFrame


def empty(schema: pl.Schema) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def as_number(value: object) -> int | float:
    """An aggregate of a numeric column (Series.max(), .mean(), .quantile()), unchanged.

    polars types these as any Python value (a date, a string, None), since it depends on the column's dtype.
    """
    if isinstance(value, int | float):
        return value
    raise TypeError(f"expected a number from a numeric column, got {value!r}")


def reject(frame: pl.DataFrame, reason: str | pl.Expr, detail: str | pl.Expr = "") -> pl.DataFrame:
    """Turn rows into REJECTED rows; `reason` and `detail` may be per-row expressions.

    `reject_stage` stays empty: the executor names the funnel step of the stage that made the rows
    (pipeline/stages.py), so no stage can file its rejects under another's name.
    """
    reason_expr = pl.lit(reason) if isinstance(reason, str) else reason
    detail_expr = pl.lit(detail) if isinstance(detail, str) else detail
    rows = frame.with_columns(
        reject_stage=pl.lit(None, pl.String),
        reject_reason=reason_expr.cast(pl.String),
        reject_detail=detail_expr.cast(pl.String).fill_null(""),
    )
    return conform(rows, REJECTED)


def conform(frame: pl.DataFrame, schema: pl.Schema) -> pl.DataFrame:
    """Select `schema`'s columns in order, adding the missing ones as nulls (extra columns survive at the end).

    Later stages add columns (token counts, cluster ids); keeping them lets rejects carry what was
    known about a record when it was rejected.
    """
    missing = [pl.lit(None, dtype=dtype).alias(name) for name, dtype in schema.items() if name not in frame.columns]
    frame = frame.with_columns(missing) if missing else frame
    extra = [name for name in frame.columns if name not in schema]
    return frame.select(*(pl.col(name).cast(dtype) for name, dtype in schema.items()), *extra)


def concat_rejects(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """Stack rejects from several stages whose extra columns differ."""
    frames = [conform(frame, REJECTED) for frame in frames if frame.height]
    if not frames:
        return empty(REJECTED)
    return pl.concat(frames, how="diagonal_relaxed")


def stable_id(*parts: object) -> str:
    """A short content hash that is the same on every machine, Python and polars version.

    (polars' own `hash` is explicitly not stable across versions, so ids use sha256.) The payload is
    `json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))`, made by orjson when
    that is the same bytes (pipeline.jsontext), so ids stay what they were.
    """
    return hashlib.sha256(compact_sorted(parts)).hexdigest()[:20]


def stable_ids(frame: pl.DataFrame, head: str, columns: list[str]) -> pl.Series:
    """`stable_id(head, *row)` over `columns` of every row, for a whole frame at once: polars writes each row's
    JSON (strings and integers as json.dumps writes them, lists of structs with their keys sorted) and only the
    sha256 is taken row by row (per row in Python, the JSON was a tenth of the extract stage at 100k examples).
    tests/test_generate_common.py compares the two over any text."""
    parts = [pl.lit(json_text(head))] + [json_of(name, frame.schema[name]) for name in columns]
    payloads = frame.select(pl.concat_str(parts, separator=",")).to_series()
    return pl.Series(
        [hashlib.sha256(f"[{payload}]".encode()).hexdigest()[:20] for payload in payloads], dtype=pl.String
    )


def json_text(value: str) -> str:
    return compact_sorted(value).decode()


def json_of(name: str, dtype: DType) -> pl.Expr:
    """A column's JSON, value by value. Turns are objects with their keys sorted; a string or an integer is
    written as the one field of an object (`{"v":...}`), which is then cut away."""
    column = pl.col(name)
    if isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Struct):
        fields = sorted(field.name for field in dtype.inner.fields)
        item = pl.struct(*(pl.element().struct.field(field) for field in fields)).struct.json_encode()
        joined = pl.format("[{}]", column.list.eval(item).list.join(","))
        return pl.when(column.is_null()).then(pl.lit("null")).otherwise(joined)
    if dtype == pl.String or dtype.is_integer():
        return pl.struct(column.alias("v")).struct.json_encode().str.slice(5).str.head(-1)
    raise TypeError(f"stable_ids writes strings, integers and lists of structs, not {dtype} ({name})")


def check_unique_ids(frame: pl.DataFrame, what: str) -> None:
    """Fail the run on rows that share an id: each is one record, so a repeated id is a record written twice.

    Ids are content hashes, so a repeat means a stage made the same row twice (issue 17: a join that
    multiplied preference pairs); dedup cannot see it, as it tells duplicates apart by id.
    """
    repeated = frame.group_by("id").agg(pl.len(), pl.first("source")).filter(pl.col("len") > 1).sort("id")
    if repeated.height:
        first_id, count, source = repeated.row(0)
        raise DuplicateIdError(
            f"internal error: {repeated.height} ids are shared by several {what} (e.g. {first_id} x{count}, "
            f"from {source}); every record must have its own id, so nothing was written; please report this as a bug"
        )


def rejected_document(source: str, reason: str, detail: str) -> dict:
    """A REJECTED row (kind "document") for a file or JSONL line that never became a document."""
    doc_id = stable_id("document", source)
    return {
        "id": doc_id,
        "kind": "document",
        "doc_id": doc_id,
        "source": source,
        "reject_stage": None,  # the executor names the stage (pipeline/stages.py)
        "reject_reason": reason,
        "reject_detail": detail,
    }


def prompt_text() -> pl.Expr:
    """The last user turn of `messages`: what the example asks."""
    users = pl.col("messages").list.eval(
        pl.element().filter(pl.element().struct.field("role") == "user").struct.field("content")
    )
    return users.list.last()


def answer_text() -> pl.Expr:
    """What the example teaches: `chosen` of a pair (the completion for KTO), else the final assistant turn."""
    last = pl.col("messages").list.last()
    final_assistant = pl.when(last.struct.field("role") == "assistant").then(last.struct.field("content"))
    return pl.when(pl.col("kind").is_in(["preference", "kto"])).then(pl.col("chosen")).otherwise(final_assistant)


def conversation() -> pl.Expr:
    """`messages` with the system prompt (when set) as the first turn: what a model is trained on."""
    system = pl.when(pl.col("system").is_not_null()).then(
        pl.concat_list(pl.struct(role=pl.lit("system"), content=pl.col("system")))
    )
    return pl.concat_list(system.otherwise(pl.lit([], dtype=pl.List(MESSAGE))), pl.col("messages"))
