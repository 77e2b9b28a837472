"""OpenAI chat fine-tuning records: `{"messages": [system?, user, assistant, ...]}`."""

import polars as pl

from pipeline.records import conversation


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
        if role in ("user", "assistant") and isinstance(content, str) and not content.strip():
            found.append(("semantic.empty_content", f"messages[{index}].content", f"the {role} message is empty"))
    return found
