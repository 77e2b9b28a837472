"""OpenAI chat fine-tuning records: `{"messages": [system?, user, assistant, ...]}`."""

import polars as pl

from pipeline.records import conversation

# Unicode White_Space: the one definition of "empty text" shared by the vectorised and per-record checks.
WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
)


def to_records(examples: pl.DataFrame) -> pl.DataFrame:
    """One `messages` column, the system prompt (when set) prepended as the first message."""
    return examples.select(messages=conversation())


def semantic_checks(record: dict) -> list[tuple[str, str, str]]:
    """Rules a schema cannot express: role order, last turn, empty targets. Never raises."""
    messages = record.get("messages")
    if not isinstance(messages, list) or not messages:
        return []  # the schema already reports it
    found = []
    roles = [message.get("role") if isinstance(message, dict) else None for message in messages]
    if "assistant" not in roles:
        found.append(("semantic.no_assistant", "messages", "no assistant message: nothing to train on"))
    elif roles[-1] != "assistant":
        found.append(
            ("semantic.last_not_assistant", f"messages[{len(roles) - 1}]", "the last message must be the assistant's")
        )
    for index, role in enumerate(roles):
        if role == "system" and index != 0:
            found.append(("semantic.system_not_first", f"messages[{index}]", "a system message may only come first"))
        content = messages[index].get("content") if isinstance(messages[index], dict) else None
        if role in ("user", "assistant") and isinstance(content, str) and not content.strip(WHITESPACE):
            found.append(("semantic.empty_content", f"messages[{index}].content", f"the {role} message is empty"))
    return found


def clean_rows(records: pl.DataFrame) -> pl.Series:
    """True where a record rendered from an EXAMPLE frame certainly passes the schema and semantic checks.

    With `messages` typed as list[struct{role, content}], the only ways to fail are values: an unknown
    role (tool and function turns need fields this shape cannot hold), a null content, a system turn
    after the first, a last turn that is not the assistant's, whitespace-only user or assistant text.
    Rows that are not certainly clean go through jsonschema, which explains them; the two must agree,
    which tests/test_validate.py checks on generated frames.
    """
    messages = pl.col("messages")
    role = pl.element().struct.field("role")
    content = pl.element().struct.field("content")
    checks = [
        messages.list.len() >= 1,
        messages.list.eval(
            (role.is_in(["system", "user", "assistant"]) & content.is_not_null()).fill_null(False)
        ).list.all(),
        messages.list.eval(((role != "system") | (pl.int_range(pl.len()) == 0)).fill_null(False)).list.all(),
        messages.list.last().struct.field("role") == "assistant",
        messages.list.eval(
            ((role == "system") | (content.str.strip_chars(WHITESPACE).str.len_chars() > 0)).fill_null(False)
        ).list.all(),
    ]
    return records.select(pl.all_horizontal(checks).fill_null(False)).to_series()
