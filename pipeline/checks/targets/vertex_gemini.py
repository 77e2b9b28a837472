"""Vertex AI Gemini supervised-tuning records: `{"systemInstruction"?: {"parts"}, "contents": [user, model, ...]}`.

Follows Vertex AI's gemini-supervised-tuning-prepare page: the SFT pages spell the system prompt in
camelCase, `systemInstruction` (its `role` is ignored), and each Content is `{"role": "user"|"model",
"parts": [Part, ...]}` where a Part is one of text, inlineData, fileData, functionCall or functionResponse.
ftprep requires `role` on every content and, as a pipeline rule the docs imply but do not state, that user
and model turns alternate from the user's and end with the model's: the training target. Limits (Vertex AI's
Gemini tuning limits, Gemini 2.5 Flash): 131,072 tokens per example (a character guard here: no offline
Gemini tokenizer), at most 30 images per example, a 1 GB training file.

As in the preference target, a frame where only some examples have a system prompt writes
`"systemInstruction": null` for the others (protobuf JSON reads null as unset), and a frame with none
writes no such column.
"""

import polars as pl

from pipeline.checks.finding import Finding
from pipeline.checks.targets.sft_rules import (
    clean_conversation,
    clean_length,
    conversation_findings,
    length_findings,
    total_chars,
)
from pipeline.checks.targets.vertex_preference import ROLES, joined_text, parts_text, text_parts

SIDES = {"user": "user", "model": "model"}
MAX_RECORD_TOKENS = 131_072
MAX_IMAGES = 30
MODEL = "Gemini 2.5 Flash on Vertex AI"


def to_records(examples: pl.DataFrame) -> pl.DataFrame:
    """`contents` from `messages` (assistant turns become model turns), each text one part."""
    turn = pl.element().struct
    columns = {
        "contents": pl.col("messages").list.eval(
            pl.struct(role=turn.field("role").replace(ROLES), parts=text_parts(turn.field("content")))
        )
    }
    if examples["system"].is_not_null().any():
        system = pl.when(pl.col("system").is_not_null()).then(pl.struct(parts=text_parts(pl.col("system"))))
        columns = {"systemInstruction": system, **columns}
    return examples.select(**columns)


def semantic_checks(record: dict) -> list[Finding]:
    """Alternation from the user's turn to the model's, empty turns, images and size. Never raises."""
    contents = record.get("contents")
    found = conversation_findings(
        contents, "contents", sides=SIDES, system=None, text_of=parts_text, text_path=".parts"
    )
    parts = [
        part
        for content in (contents if isinstance(contents, list) else [])
        if isinstance(content, dict) and isinstance(content.get("parts"), list)
        for part in content["parts"]
        if isinstance(part, dict)
    ]
    images = sum(is_image(part) for part in parts)
    if images > MAX_IMAGES:
        found.append(
            Finding(0, "semantic.too_many_images", "contents", f"{images} images; Gemini takes at most {MAX_IMAGES}")
        )
    system = record.get("systemInstruction")
    system_parts = system.get("parts") if isinstance(system, dict) else None
    parts += [part for part in system_parts if isinstance(part, dict)] if isinstance(system_parts, list) else []
    return found + length_findings([part.get("text") for part in parts], MAX_RECORD_TOKENS, MODEL)


def is_image(part: dict) -> bool:
    media = part.get("inlineData") or part.get("fileData")
    return isinstance(media, dict) and str(media.get("mimeType", "")).startswith("image/")


def clean_rows(records: pl.DataFrame) -> pl.Series:
    """True where a record rendered from an EXAMPLE frame certainly passes the schema and semantic checks.

    Rendered parts are text only, so images never count; EXAMPLE roles other than user and assistant
    keep their names and fail Gemini's role set.
    """
    turn = pl.element().struct
    contents = pl.col("contents").list.eval(
        pl.struct(role=turn.field("role"), content=joined_text(turn.field("parts")))
    )
    chars = total_chars(contents.list.eval(pl.element().struct.field("content")))
    checks = clean_conversation(contents, sides=SIDES, system=None)
    if "systemInstruction" in records.columns:
        system = joined_text(pl.col("systemInstruction").struct.field("parts"))
        checks.append(pl.col("systemInstruction").is_null() | system.is_not_null())
        chars = chars + system.str.len_chars().fill_null(0)
    checks.append(clean_length(chars, MAX_RECORD_TOKENS))
    return records.select(pl.all_horizontal(checks).fill_null(False)).to_series()
