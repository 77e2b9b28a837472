"""The conversation rules every supervised target shares, per record and as polars expressions.

Written once over "turns" with a role and a text, like the preference rules in trl_preference, so the
Bedrock, Gemini, Mistral, Together, TRL and ShareGPT targets differ only in their role names and order rules
(the providers' validators' checks, plus ftprep's own stricter ones): at least one answering turn, and the
last turn is one; a system turn only first; the conversation starts with the user; asking and answering
turns alternate, or follow the provider's transition table; no user or answer text is whitespace only. A
coarse length guard covers the providers that give a per-record token limit but no offline tokenizer
(Claude, Gemini), and `user_assistant_pairs` tells which examples the role-less formats (Alpaca, Together
instruction) can hold.
"""

from collections.abc import Callable, Collection, Mapping

import polars as pl

from pipeline.checks.finding import Finding
from pipeline.checks.targets.openai_chat import WHITESPACE
from pipeline.checks.targets.trl_preference import SIDES, side_of

# Bedrock suggests about 6 characters per token (its Claude data-prep page); 4 leaves a margin for denser text.
CHARS_PER_TOKEN = 4


def content_of(turn: dict) -> object:
    return turn.get("content")


def conversation_findings(
    turns: object,
    path: str,
    *,
    sides: Mapping[str, str] = SIDES,
    system: str | None = "system",
    role_key: str = "role",
    text_of: Callable[[dict], object] = content_of,
    text_path: str = ".content",
    follows: Mapping[str, Collection[str]] | None = None,
) -> list[Finding]:
    """Order, last turn and emptiness of a training conversation. Never raises (`text_of` must not either).

    With `follows` (role -> the roles allowed next) the order is the provider's transition table;
    without it, asking and answering turns strictly alternate. Turns whose role has no side (a tool
    result) are checked only by the table and the schema.
    """
    if not isinstance(turns, list) or not turns:
        return []  # the schema already reports it
    roles = [turn.get(role_key) if isinstance(turn, dict) else None for turn in turns]
    turn_sides = [side_of(role, sides) for role in roles]
    found = []
    if "model" not in turn_sides:
        found.append(Finding(0, "semantic.no_assistant", path, "no answering turn: nothing to train on"))
    elif turn_sides[-1] != "model":
        found.append(
            Finding(0, "semantic.last_not_assistant", f"{path}[{len(roles) - 1}]", "the last turn must be the answer")
        )
    is_system = [system is not None and role == system for role in roles]
    first = next((index for index, flag in enumerate(is_system) if not flag), None)
    for index, role in enumerate(roles):
        where = f"{path}[{index}]"
        if is_system[index]:
            if index:
                found.append(Finding(0, "semantic.system_not_first", where, "a system turn may only come first"))
            continue
        side, previous = turn_sides[index], roles[index - 1] if index else None
        if index == first:
            if side != "user":
                found.append(
                    Finding(0, "semantic.role_order", where, "the conversation must start with the user's turn")
                )
        elif follows is not None:
            allowed = follows.get(previous) if isinstance(previous, str) else None
            if allowed is not None and isinstance(role, str) and role not in allowed:
                found.append(Finding(0, "semantic.role_order", where, f"a {role} turn cannot follow a {previous} turn"))
        elif side is not None and side == turn_sides[index - 1]:
            found.append(Finding(0, "semantic.role_order", where, f"two {side} turns in a row"))
        text = text_of(turns[index]) if side is not None else None
        if isinstance(text, str) and not text.strip(WHITESPACE):
            found.append(Finding(0, "semantic.empty_content", where + text_path, f"the {role} turn is empty"))
    return found


def length_findings(texts: list[object], limit: int, model: str) -> list[Finding]:
    """A record whose text is over `limit` tokens at CHARS_PER_TOKEN, for providers without a local tokenizer."""
    chars = sum(len(text) for text in texts if isinstance(text, str))
    if chars <= limit * CHARS_PER_TOKEN:
        return []
    estimate = -(-chars // CHARS_PER_TOKEN)
    return [
        Finding(
            0,
            "semantic.too_long",
            "(record)",
            f"about {estimate:,} tokens ({chars:,} characters); {model} takes at most {limit:,} per record: "
            "shorten or split it",
        )
    ]


def clean_conversation(
    turns: pl.Expr,
    *,
    sides: Mapping[str, str] = SIDES,
    system: str | None = "system",
    role_key: str = "role",
    text_key: str = "content",
    alternate: bool = True,
) -> list[pl.Expr]:
    """`conversation_findings` (plus the schema's role set and string texts) as expressions over list[struct].

    A row is clean when every expression is true; null counts as not clean. `alternate=False` is exact
    for a transition table that, over these roles with the system turn first, forbids nothing.
    """
    role = pl.element().struct.field(role_key)
    text = pl.element().struct.field(text_key)
    side = role.replace_strict(dict(sides), default=None, return_dtype=pl.String)
    is_system = (role == system) if system is not None else pl.lit(False)
    known = [*sides, *([system] if system is not None else [])]
    answering = [name for name, value in sides.items() if value == "model"]
    checks = [  # an empty list has no last turn, so it fails the last-turn check
        turns.list.eval((role.is_in(known) & text.is_not_null()).fill_null(False)).list.all(),
        turns.list.eval((~is_system | (pl.int_range(pl.len()) == 0)).fill_null(False)).list.all(),
        turns.list.eval(side.filter(~is_system.fill_null(False)).first() == "user").list.first(),
        turns.list.last().struct.field(role_key).is_in(answering),
        turns.list.eval(
            (is_system | (text.str.strip_chars(WHITESPACE).str.len_chars() > 0)).fill_null(False)
        ).list.all(),
    ]
    if alternate:
        checks.append(turns.list.eval((side != side.shift(1)).fill_null(True)).list.all())
    return checks


def user_assistant_pairs() -> pl.Expr:
    """True where an EXAMPLE's `messages` is user, assistant, user, assistant, ... with every content set."""
    messages = pl.col("messages")
    role, content = pl.element().struct.field("role"), pl.element().struct.field("content")
    expected = pl.when(pl.int_range(pl.len()) % 2 == 0).then(pl.lit("user")).otherwise(pl.lit("assistant"))
    alternating = messages.list.eval(((role == expected) & content.is_not_null()).fill_null(False)).list.all()
    return ((messages.list.len() > 0) & (messages.list.len() % 2 == 0) & alternating).fill_null(False)


def total_chars(texts: pl.Expr) -> pl.Expr:
    """Characters of a list[str] column (nulls count zero, as `length_findings` skips them)."""
    return texts.list.eval(pl.element().str.len_chars()).list.sum()


def clean_length(chars: pl.Expr, limit: int) -> pl.Expr:
    return chars <= limit * CHARS_PER_TOKEN
