"""Vertex AI Gemini preference-tuning records: `contents` ending with a user turn, plus two scored completions.

Follows formats.md 3.3 ("Gemini preference tuning") exactly, field for field:
`{"system_instruction"?: {"parts": [{"text"}]}, "contents": [{"role": "user"|"model", "parts": [{"text"}]}],
"completions": [{"score": 1, "completion": {"role": "model", "parts": [...]}}, {"score": 0, ...}]}`.
Score 1 marks the preferred completion and 0 the dispreferred one; exactly one of each; text only. The
preference pages spell the system prompt snake_case `system_instruction` (the SFT pages use camelCase
`systemInstruction`; 3.1 says to pick one style), so this target writes and accepts `system_instruction`.

polars writes a null cell as `null`, so in a frame where only some examples have a system prompt the
others get `"system_instruction": null`, which protobuf JSON reads as unset; a frame with no system
prompt at all gets no `system_instruction` column.
"""

import polars as pl

from pipeline.checks.finding import Finding
from pipeline.checks.targets.trl_preference import clean_pair, clean_prompt, pair_findings, prompt_findings

SIDES = {"user": "user", "model": "model"}
ROLES = {"assistant": "model"}  # EXAMPLE role -> Gemini role; user keeps its name


def to_records(examples: pl.DataFrame) -> pl.DataFrame:
    """`contents` from the prompt; the chosen answer as the score-1 completion, the rejected as score 0."""
    turn = pl.element().struct
    columns = {
        "contents": pl.col("messages").list.eval(
            pl.struct(role=turn.field("role").replace(ROLES), parts=text_parts(turn.field("content")))
        ),
        "completions": pl.concat_list(scored(1, "chosen"), scored(0, "rejected")),
    }
    if examples["system"].is_not_null().any():
        system = pl.when(pl.col("system").is_not_null()).then(pl.struct(parts=text_parts(pl.col("system"))))
        columns = {"system_instruction": system, **columns}
    return examples.select(**columns)


def text_parts(text: pl.Expr) -> pl.Expr:
    return pl.concat_list(pl.struct(text=text))


def scored(score: int, column: str) -> pl.Expr:
    return pl.struct(score=pl.lit(score), completion=pl.struct(role=pl.lit("model"), parts=text_parts(pl.col(column))))


def parts_text(content: object) -> str | None:
    """The text of a Content's parts joined, or None when a part is not text. Never raises."""
    parts = content.get("parts") if isinstance(content, dict) else None
    if not isinstance(parts, list) or not parts:
        return None
    texts = [part.get("text") if isinstance(part, dict) else None for part in parts]
    strings = [text for text in texts if isinstance(text, str)]
    return "".join(strings) if len(strings) == len(texts) else None


def semantic_checks(record: dict) -> list[Finding]:
    """Contents order (ending with the user's turn); empty or identical completions. Never raises."""
    found = prompt_findings(
        record.get("contents"), "contents", sides=SIDES, system=None, text_of=parts_text, text_path=".parts"
    )
    by_score: dict[int, tuple[str, str | None]] = {}
    completions = record.get("completions")
    for index, item in enumerate(completions if isinstance(completions, list) else []):
        score = item.get("score") if isinstance(item, dict) else None
        if isinstance(score, int | float) and not isinstance(score, bool) and score in (0, 1):
            path = f"completions[{index}].completion.parts"
            by_score.setdefault(int(score), (path, parts_text(item.get("completion"))))
    if 1 in by_score and 0 in by_score:
        (chosen_path, chosen), (rejected_path, rejected) = by_score[1], by_score[0]
        found += pair_findings(chosen, rejected, chosen_path, rejected_path)
    return found


def joined_text(parts: pl.Expr) -> pl.Expr:
    """`parts_text` as an expression: null unless every part has a text."""
    text = pl.element().struct.field("text")
    complete = (parts.list.len() > 0) & parts.list.eval(text.is_not_null()).list.all()
    return pl.when(complete).then(parts.list.eval(text).list.join(""))


def clean_rows(records: pl.DataFrame) -> pl.Series:
    """True where a record rendered from an EXAMPLE frame certainly passes the schema and semantic checks.

    Rendered completions are always [score 1, score 0] model turns, so only their texts can fail.
    """
    turn = pl.element().struct
    contents = pl.col("contents").list.eval(
        pl.struct(role=turn.field("role"), content=joined_text(turn.field("parts")))
    )
    completion = pl.col("completions").list
    checks = [
        *clean_prompt(contents, sides=SIDES, system=None),
        *clean_pair(
            joined_text(completion.get(0, null_on_oob=True).struct.field("completion").struct.field("parts")),
            joined_text(completion.get(1, null_on_oob=True).struct.field("completion").struct.field("parts")),
        ),
    ]
    if "system_instruction" in records.columns:
        system = pl.col("system_instruction")
        checks.append(system.is_null() | joined_text(system.struct.field("parts")).is_not_null())
    return records.select(pl.all_horizontal(checks).fill_null(False)).to_series()
