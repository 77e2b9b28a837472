"""Hugging Face TRL preference records, and the prompt and pair rules every preference target shares.

TRL's recommended preference type (TRL's dataset_formats.md, "explicit prompt") in its conversational form:
`{"prompt": [messages], "chosen": [assistant], "rejected": [assistant]}`, read by the DPO, ORPO, CPO and
Reward trainers, is what ftprep writes. Validation takes every preference form the guide shows: the
standard one (three strings) and the implicit prompt (`chosen` and `rejected` only, strings or message
lists), which the trainers split at the pair's longest common prefix (trl.data_utils.maybe_extract_prompt,
restated in trl_types.extract_prompt); after that split the explicit form's rules apply. A record of
another TRL type gets one `semantic.wrong_type` finding.

The rules below (`prompt_findings`, `pair_findings` and their vectorised twins) are written once over
"turns" with a role and a text, so the OpenAI, Gemini, LLaMA-Factory and KTO targets share them: a system
turn only first; the prompt starts and ends with an asking turn; asking and answering turns alternate;
no turn and no answer is whitespace only; the two answers differ (the providers' validators' checks, plus ftprep's own).
"""

from collections.abc import Callable, Mapping

import polars as pl

from pipeline.checks.finding import Finding
from pipeline.checks.targets.openai_chat import WHITESPACE
from pipeline.checks.targets.trl_types import IMPLICIT_PREFERENCE, PREFERENCE, extract_prompt, type_findings
from pipeline.records import conversation

ACCEPTS = (PREFERENCE, IMPLICIT_PREFERENCE)

# Which side of the conversation each role is on: "user" turns ask, "model" turns answer.
SIDES = {"user": "user", "assistant": "model"}


def to_records(examples: pl.DataFrame) -> pl.DataFrame:
    """The prompt (system first when set) and each answer as a one-message assistant list."""
    return examples.select(prompt=conversation(), chosen=answer("chosen"), rejected=answer("rejected"))


def answer(column: str) -> pl.Expr:
    return pl.concat_list(pl.struct(role=pl.lit("assistant"), content=pl.col(column)))


def semantic_checks(record: dict) -> list[Finding]:
    """The record's TRL type, then prompt order and empty or identical answers. Never raises."""
    return type_findings(record, "trl-preference", ACCEPTS) or preference_findings(record)


def preference_findings(record: dict) -> list[Finding]:
    """Prompt order and empty or identical answers, in any of the four preference forms."""
    prompt, chosen, rejected = record.get("prompt"), record.get("chosen"), record.get("rejected")
    if "prompt" not in record:
        return implicit_findings(chosen, rejected)
    if isinstance(prompt, str):
        found = (
            [] if prompt.strip(WHITESPACE) else [Finding(0, "semantic.empty_content", "prompt", "the prompt is empty")]
        )
        return found + pair_findings(chosen, rejected, "chosen", "rejected")
    return prompt_findings(prompt, "prompt") + pair_findings(
        first_content(chosen), first_content(rejected), "chosen[0].content", "rejected[0].content"
    )


def implicit_findings(chosen: object, rejected: object) -> list[Finding]:
    """An implicit-prompt pair after TRL's split: a shared prompt (conversational: at least one message),
    then one different, non-empty answer on each side (conversational: one assistant message each).
    One finding per cause: a pair that shares no prompt, or whose side adds nothing, gets only that."""
    if isinstance(chosen, str) and isinstance(rejected, str):
        if chosen.strip(WHITESPACE) == rejected.strip(WHITESPACE):
            return pair_findings(chosen, rejected, "chosen", "rejected")  # the same text, or both empty
        _, good, bad = extract_prompt(chosen, rejected)
        return pair_findings(good, bad, "chosen", "rejected")
    if not isinstance(chosen, list) or not isinstance(rejected, list):
        return []  # the schema already reports it
    prompt, good, bad = extract_prompt(chosen, rejected)
    if not prompt:
        message = "chosen and rejected start with different messages, so they share no prompt"
        return [Finding(0, "semantic.no_shared_prompt", "chosen[0]", message)]
    if not good and not bad:
        return [Finding(0, "semantic.identical_pair", "rejected", "chosen and rejected are the same conversation")]
    at = len(prompt)
    found = [
        Finding(0, f"semantic.empty_{side}", side, f"{side} adds nothing to the messages it shares with the other")
        for side, rest in (("chosen", good), ("rejected", bad))
        if not rest
    ]
    if found:
        return found
    for side, rest in (("chosen", good), ("rejected", bad)):
        roles = [turn.get("role") if isinstance(turn, dict) else None for turn in rest]
        if roles != ["assistant"]:
            message = f"after the prompt it shares with the other side, {side} must add one assistant turn, not {roles}"
            found.append(Finding(0, "semantic.implicit_answer", f"{side}[{at}]", message))
    if found:
        return found
    return prompt_findings(prompt, "chosen") + pair_findings(
        first_content(good), first_content(bad), f"chosen[{at}].content", f"rejected[{at}].content"
    )


def clean_rows(records: pl.DataFrame) -> pl.Series:
    """True where a record rendered from an EXAMPLE frame certainly passes the schema and semantic checks."""
    checks = [
        *clean_prompt(pl.col("prompt")),
        *clean_pair(first_text(pl.col("chosen")), first_text(pl.col("rejected"))),
    ]
    return records.select(pl.all_horizontal(checks).fill_null(False)).to_series()


def first_content(messages: object) -> object:
    """The content of a one-message list (what every preference target holds per answer), else None."""
    if isinstance(messages, list) and messages and isinstance(messages[0], dict):
        return messages[0].get("content")
    return None


def first_text(messages: pl.Expr, field: str = "content") -> pl.Expr:
    return messages.list.first().struct.field(field)


def side_of(role: object, sides: Mapping[str, str]) -> str | None:
    return sides.get(role) if isinstance(role, str) else None


def prompt_findings(
    turns: object,
    path: str,
    *,
    sides: Mapping[str, str] = SIDES,
    system: str | None = "system",
    role_key: str = "role",
    text_of: Callable[[dict], object] = lambda turn: turn.get("content"),
    text_path: str = ".content",
) -> list[Finding]:
    """Order and emptiness of a prompt's turns. Never raises (`text_of` must not either).

    Turns whose role has no side (a tool result) may sit between two answering turns; they are
    checked by the schema, not here.
    """
    if not isinstance(turns, list) or not turns:
        return []  # the schema already reports it
    roles = [turn.get(role_key) if isinstance(turn, dict) else None for turn in turns]
    found = []
    if side_of(roles[-1], sides) != "user":
        found.append(
            Finding(
                0, "semantic.last_not_user", f"{path}[{len(roles) - 1}]", "the prompt must end with the user's turn"
            )
        )
    is_system = [system is not None and role == system for role in roles]
    first = next((index for index, flag in enumerate(is_system) if not flag), None)
    for index, role in enumerate(roles):
        where = f"{path}[{index}]"
        if is_system[index]:
            if index:
                found.append(Finding(0, "semantic.system_not_first", where, "a system turn may only come first"))
            continue
        side = side_of(role, sides)
        if index == first:
            if side != "user":
                found.append(
                    Finding(0, "semantic.role_order", where, "the conversation must start with the user's turn")
                )
        elif side is not None and side == side_of(roles[index - 1], sides):
            found.append(Finding(0, "semantic.role_order", where, f"two {side} turns in a row"))
        text = text_of(turns[index]) if side is not None else None
        if isinstance(text, str) and not text.strip(WHITESPACE):
            found.append(Finding(0, "semantic.empty_content", where + text_path, f"the {role} turn is empty"))
    return found


def pair_findings(chosen: object, rejected: object, chosen_path: str, rejected_path: str) -> list[Finding]:
    """Empty answers, and a pair whose answers are the same text (nothing to prefer). Never raises."""
    found = []
    if isinstance(chosen, str) and not chosen.strip(WHITESPACE):
        found.append(Finding(0, "semantic.empty_chosen", chosen_path, "the chosen answer is empty"))
    if isinstance(rejected, str) and not rejected.strip(WHITESPACE):
        found.append(Finding(0, "semantic.empty_rejected", rejected_path, "the rejected answer is empty"))
    if (
        isinstance(chosen, str)
        and isinstance(rejected, str)
        and chosen.strip(WHITESPACE)
        and chosen.strip(WHITESPACE) == rejected.strip(WHITESPACE)
    ):
        found.append(Finding(0, "semantic.identical_pair", rejected_path, "chosen and rejected are the same text"))
    return found


def clean_prompt(
    turns: pl.Expr,
    *,
    sides: Mapping[str, str] = SIDES,
    system: str | None = "system",
    role_key: str = "role",
    text_key: str = "content",
) -> list[pl.Expr]:
    """`prompt_findings` (plus the schema's role set and string texts) as expressions over list[struct].

    A row is clean when every expression is true; null counts as not clean.
    """
    role = pl.element().struct.field(role_key)
    text = pl.element().struct.field(text_key)
    side = role.replace_strict(dict(sides), default=None, return_dtype=pl.String)
    is_system = (role == system) if system is not None else pl.lit(False)
    known = [*sides, *([system] if system is not None else [])]
    asking = [name for name, value in sides.items() if value == "user"]
    return [  # an empty list has no last turn, so it fails the last-turn check
        turns.list.eval((role.is_in(known) & text.is_not_null()).fill_null(False)).list.all(),
        turns.list.eval((~is_system | (pl.int_range(pl.len()) == 0)).fill_null(False)).list.all(),
        turns.list.eval(side.filter(~is_system.fill_null(False)).first() == "user").list.first(),
        turns.list.eval((side != side.shift(1)).fill_null(True)).list.all(),
        turns.list.last().struct.field(role_key).is_in(asking),
        turns.list.eval(
            (is_system | (text.str.strip_chars(WHITESPACE).str.len_chars() > 0)).fill_null(False)
        ).list.all(),
    ]


def clean_pair(chosen: pl.Expr, rejected: pl.Expr) -> list[pl.Expr]:
    """`pair_findings` as expressions (a null answer is a schema failure, so it is not clean either)."""
    chosen, rejected = chosen.str.strip_chars(WHITESPACE), rejected.str.strip_chars(WHITESPACE)
    return [chosen.str.len_chars() > 0, rejected.str.len_chars() > 0, chosen != rejected]
