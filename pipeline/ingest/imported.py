"""Existing datasets -> EXAMPLE rows: OpenAI/TRL messages, ShareGPT, Alpaca, prompt-completion.

Formats are recognised per record from their keys (or named by a LLaMA-Factory dataset_info.json
mapping). A record that cannot become a valid conversation is a reject naming the field, so a partly
broken file still imports every good row.
"""

from pipeline.ingest.files import Problem
from pipeline.records import stable_id

SHAREGPT_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant", "system": "system"}
PREFERENCE_FORMATS = {"openai-dpo", "sharegpt-dpo", "alpaca-preference", "trl-preference", "kto", "rated"}


def detect_format(record: dict) -> str | None:
    """The dataset format a record's keys say it is in; None when it is not a dataset record."""
    keys = set(record)
    if {"preferred_output", "non_preferred_output"} <= keys:
        return "openai-dpo"
    if {"chosen", "rejected"} <= keys:
        return (
            "sharegpt-dpo"
            if "conversations" in keys
            else "alpaca-preference"
            if "instruction" in keys
            else "trl-preference"
        )
    if {"completion", "label"} <= keys:
        return "kto"
    if "prompt" in keys and isinstance(record.get("responses"), list):
        return "rated"
    if "messages" in keys:
        return "openai-chat"
    if "conversations" in keys:
        return "sharegpt"
    if {"instruction", "output"} <= keys:
        return "alpaca"
    if {"prompt", "completion"} <= keys:
        return "prompt-completion"
    return None


def to_messages(record: dict, fmt: str) -> tuple[list[dict], None] | tuple[None, Problem]:
    """The record's conversation as role/content turns, system first if any."""
    if fmt == "openai-chat":
        return chat_turns(
            record.get("messages"), "messages", "role", "content", {r: r for r in ("system", "user", "assistant")}
        )
    if fmt == "sharegpt":
        converted = chat_turns(record.get("conversations"), "conversations", "from", "value", SHAREGPT_ROLES)
        if converted[0] is not None and isinstance(record.get("system"), str) and record["system"].strip():
            return [{"role": "system", "content": record["system"]}, *converted[0]], None
        return converted
    if fmt == "alpaca":
        return alpaca_turns(record)
    if fmt == "prompt-completion":
        prompt, completion = record.get("prompt"), record.get("completion")
        if isinstance(prompt, list) and isinstance(completion, list):  # TRL conversational prompt-completion
            return chat_turns(
                prompt + completion, "prompt", "role", "content", {r: r for r in ("system", "user", "assistant")}
            )
        if not isinstance(prompt, str) or not isinstance(completion, str):
            return None, ("invalid_record", "prompt and completion must both be strings (or both message lists)")
        return [{"role": "user", "content": prompt}, {"role": "assistant", "content": completion}], None
    return None, ("unsupported_format", f"{fmt} records are preference data: prepare them with --kind preference")


def chat_turns(
    turns: object, field: str, role_key: str, content_key: str, roles: dict
) -> tuple[list[dict], None] | tuple[None, Problem]:
    if not isinstance(turns, list) or not turns:
        return None, ("invalid_record", f"{field} must be a non-empty list")
    messages = []
    for index, turn in enumerate(turns):
        if not isinstance(turn, dict):
            return None, ("invalid_record", f"{field}[{index}] is not an object")
        if "tool_calls" in turn or turn.get(role_key) in ("tool", "function", "function_call", "observation"):
            return None, ("unsupported_feature", f"{field}[{index}]: tool calls are not imported yet")
        role = roles.get(turn.get(role_key))
        if role is None:
            return None, ("invalid_record", f"{field}[{index}].{role_key}: unknown role {turn.get(role_key)!r}")
        content = turn.get(content_key)
        if not isinstance(content, str):
            return None, (
                "invalid_record",
                f"{field}[{index}].{content_key}: {type(content).__name__}, expected a string",
            )
        messages.append({"role": role, "content": content})
    return messages, None


def alpaca_turns(record: dict) -> tuple[list[dict], None] | tuple[None, Problem]:
    fields = {key: record.get(key, "") for key in ("instruction", "input", "output", "system")}
    for key, value in fields.items():
        if value is not None and not isinstance(value, str):
            return None, ("invalid_record", f"{key}: {type(value).__name__}, expected a string")
    messages = [{"role": "system", "content": fields["system"]}] if fields["system"] else []
    for index, pair in enumerate(record.get("history") or []):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(part, str) for part in pair)):
            return None, ("invalid_record", f"history[{index}] must be a [question, answer] pair of strings")
        messages += [{"role": "user", "content": pair[0]}, {"role": "assistant", "content": pair[1]}]
    prompt = fields["instruction"] + (f"\n\n{fields['input']}" if fields["input"] else "")
    return [
        *messages,
        {"role": "user", "content": prompt},
        {"role": "assistant", "content": fields["output"] or ""},
    ], None


def check_order(messages: list[dict]) -> Problem | None:
    """System only first; user and assistant alternate, starting with the user and ending with the assistant."""
    body = messages[1:] if messages and messages[0]["role"] == "system" else messages
    if not body:
        return "invalid_record", "no user or assistant turn"
    for index, message in enumerate(body):
        expected = "user" if index % 2 == 0 else "assistant"
        if message["role"] != expected:
            return "invalid_record", f"turn {index + 1} is {message['role']!r}, expected {expected!r}"
    if body[-1]["role"] != "assistant":
        return "invalid_record", "the conversation does not end with an assistant turn"
    return None


def import_record(
    record: object, fmt: str | None, source: str, doc_id: str
) -> tuple[dict, None] | tuple[None, Problem]:
    """One EXAMPLE row (task "imported"), or (None, (reason, detail))."""
    if not isinstance(record, dict):
        return None, ("not_an_object", f"a JSON {type(record).__name__}, expected an object")
    fmt = fmt or detect_format(record)
    if fmt is None:
        return None, ("unknown_format", "not a recognised dataset record")
    converted = to_messages(record, fmt)
    if converted[0] is None:
        return converted  # (None, problem)
    messages = converted[0]
    problem = check_order(messages)
    if problem is not None:
        return None, problem
    system = messages[0]["content"] if messages[0]["role"] == "system" else None
    turns = messages[1:] if system is not None else messages
    return {
        "id": stable_id("sft", "imported", system, turns, source),
        "kind": "sft",
        "task": "imported",
        "system": system,
        "messages": turns,
        "doc_id": doc_id,
        "source": source,
        "generator": f"import:{fmt}",
    }, None
