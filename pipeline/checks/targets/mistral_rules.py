"""The rules mistral-finetune applies to an instruct record, and ftprep's warnings beyond them.

Errors restate mistral-finetune's `build_instruct_sample` (mistralai/mistral-finetune@1943535
finetune/data/tokenize.py) and mistral-common's `MistralRequestValidatorV3` in finetuning mode
(src/mistral_common/protocol/instruct/validator.py @bc022b9): the builder takes the system message out
of the conversation (only one is allowed), then the validator checks the rest: a first turn of a
one-turn conversation that is the user's, the last turn the assistant's, its role transition table,
tool-call and tool-response counts, content xor tool calls, "null" call ids only in the last turn,
weights 0 or 1, and tool parameters that are Draft 7 JSON Schemas. tests/test_mistral_conformance.py
holds the case table.

Warnings (WARNINGS) are what Mistral's fine-tuning docs ask for but the builder does not check
(docs.mistral.ai capabilities/finetuning/text_finetuning; platform-docs-public text_vision_finetuning.md
@222f4ba): a user-assistant conversation with the system prompt first, every called tool declared,
JSON arguments, tool_call_ids that answer an earlier call, image_url a string, weight 0 or 1; and keys
the builder silently drops.
"""

import json
from itertools import pairwise

from jsonschema import Draft7Validator, Draft202012Validator
from jsonschema.exceptions import SchemaError

from pipeline.checks.finding import Finding
from pipeline.checks.targets.openai_chat import WHITESPACE

# MistralRequestValidator._validate_message_order: previous role -> roles that may come next.
FOLLOWS = {
    "system": {"user", "assistant", "system"},
    "user": {"assistant", "system", "user"},
    "assistant": {"assistant", "user", "tool"},
    "tool": {"assistant", "tool", "user"},
}
# The keys the Mistral docs define; the builder reads no others (it also reads the aliases in CONFLICTS).
KEYS = {
    "record": {"messages", "tools"},
    "system": {"role", "content"},
    "user": {"role", "content"},
    "assistant": {"role", "content", "tool_calls", "weight"},
    "tool": {"role", "content", "tool_call_id", "name"},
}
# mistral-finetune's aliases that may not appear with the documented key (its ConversationFormatError).
CONFLICTS = (("messages", "interactions"), ("tools", "available_tools"))
WARNINGS = (
    "semantic.first_not_user",
    "semantic.system_not_first",
    "semantic.blank_content",
    "semantic.image_url_object",
    "semantic.weight_type",
    "semantic.ignored_key",
    "semantic.unknown_tool",
    "semantic.tool_arguments_json",
    "semantic.tool_arguments_schema",
    "semantic.tool_call_id_mismatch",
)


def conversation_findings(record: dict, messages: list) -> list[Finding]:
    """Order, counts and per-turn values over the turns the builder keeps (systems taken out)."""
    found: list[Finding] = []
    systems = [i for i, m in enumerate(messages) if m.get("role") == "system"]
    if len(systems) + (record.get("system_prompt") is not None) > 1:
        where = f"messages[{systems[-1]}]"
        found.append(Finding(0, "semantic.multiple_system", where, "only one system message is allowed"))
    elif systems and systems[0] != 0:
        where = f"messages[{systems[0]}]"
        found.append(Finding(0, "semantic.system_not_first", where, "mistral-finetune moves it to the start"))
    turns = [(i, m) for i, m in enumerate(messages) if m.get("role") != "system"]
    roles = [m["role"] for _, m in turns]
    if not turns:
        return [*found, Finding(0, "semantic.no_assistant", "messages", "no turn but the system prompt")]
    first = f"messages[{turns[0][0]}]"
    if len(turns) == 1 and roles[0] != "user":
        found.append(Finding(0, "semantic.role_order", first, "a conversation of one turn must be the user's"))
    elif roles[0] != "user":
        found.append(Finding(0, "semantic.first_not_user", first, "the conversation should start with the user"))
    if roles[-1] != "assistant":
        where = f"messages[{turns[-1][0]}]"
        found.append(Finding(0, "semantic.last_not_assistant", where, "the last turn must be the assistant's"))
    for (_, before), (index, now) in pairwise(turns):
        if now["role"] not in FOLLOWS[before["role"]]:
            message = f"a {now['role']} turn cannot follow a {before['role']} turn"
            found.append(Finding(0, "semantic.role_order", f"messages[{index}]", message))
    return found + count_findings(turns) + [f for i, m in turns for f in turn_findings(m, i, i == turns[-1][0])]


def count_findings(turns: list[tuple[int, dict]]) -> list[Finding]:
    """_validate_tool_calls_followed_by_tool_messages: an assistant's calls are all answered before the next one.

    Like the validator, the count starts after the first turn, and a last turn of calls needs no answer.
    """
    expected, since = 0, "messages"
    for index, message in turns[1:]:
        if message["role"] == "tool":
            expected -= 1
        elif message["role"] == "assistant":
            if expected:
                return [count_finding(expected, since, f"messages[{index}]")]
            expected, since = len(message.get("tool_calls") or []), f"messages[{index}].tool_calls"
    return [count_finding(expected, since, "messages")] if expected < 0 else []


def count_finding(expected: int, since: str, where: str) -> Finding:
    if expected > 0:
        return Finding(0, "semantic.tool_call_unanswered", since, f"{expected} tool call(s) get no tool message")
    return Finding(0, "semantic.tool_result_orphan", where, f"{-expected} more tool message(s) than tool calls")


def turn_findings(message: dict, index: int, last: bool) -> list[Finding]:
    """One kept turn's values: the validator's errors, and blank text and odd forms as warnings."""
    where, role, content = f"messages[{index}]", message["role"], message.get("content")
    found = []
    if role in ("user", "assistant") and isinstance(content, str) and content and not content.strip(WHITESPACE):
        found.append(Finding(0, "semantic.blank_content", f"{where}.content", f"the {role} text is blank"))
    if role == "user" and content in ("", []):
        found.append(Finding(0, "semantic.blank_content", f"{where}.content", "the user turn is empty"))
    if role == "user" and isinstance(content, list):
        for number, chunk in enumerate(content):
            if isinstance(chunk.get("image_url"), dict):
                path = f"{where}.content[{number}].image_url"
                found.append(Finding(0, "semantic.image_url_object", path, "Mistral's docs give a URL string"))
    if role != "assistant":
        return found
    calls = message.get("tool_calls") or []
    if bool(content) == bool(calls):
        code = "semantic.content_and_tool_calls" if content else "semantic.empty_content"
        text = "content and tool_calls together" if content else "neither content nor tool_calls"
        found.append(Finding(0, code, where, f"{text}: an assistant turn has exactly one of them"))
    for number, call in enumerate(calls):
        if call["id"] == "null" and not last:
            path = f"{where}.tool_calls[{number}].id"
            found.append(Finding(0, "semantic.tool_call_id", path, "'null' is an id only in the last turn"))
    return found + weight_findings(message.get("weight"), f"{where}.weight")


def weight_findings(weight: object, where: str) -> list[Finding]:
    """FinetuningAssistantMessage.weight is a float (pydantic also reads booleans and numeric strings); 0 or 1."""
    if weight is None:
        return []
    try:
        value = float(weight) if isinstance(weight, int | float | str) else None
    except ValueError:
        value = None
    if value not in (0, 1):
        return [Finding(0, "semantic.weight", where, f"{weight!r}: the weight must be 0 or 1")]
    if isinstance(weight, bool | str):
        return [Finding(0, "semantic.weight_type", where, f"{weight!r} is read as {value:g}: write 0 or 1")]
    return []


def tool_findings(record: dict, messages: list) -> list[Finding]:
    """Declared tools are Draft 7 schemas (an error); calls name them with JSON arguments (warnings)."""
    found, declared = [], {}
    for number, tool in enumerate(record.get("tools") or []):
        function = tool["function"]
        declared[function["name"]] = function["parameters"]
        try:
            Draft7Validator.check_schema(function["parameters"])
        except SchemaError as error:
            path = f"tools[{number}].function.parameters"
            found.append(Finding(0, "semantic.tool_parameters_schema", path, f"not a JSON Schema: {error.message}"))
        if tool.get("type", "function") != "function":
            path = f"tools[{number}].type"
            found.append(Finding(0, "semantic.ignored_key", path, "ignored: a tool is always a function"))
    called: set[str] = set()
    for index, message in enumerate(messages):
        for number, call in enumerate(message.get("tool_calls") or [] if message.get("role") == "assistant" else []):
            called.add(call["id"])
            found += call_findings(call["function"], declared, f"messages[{index}].tool_calls[{number}].function")
        if message.get("role") == "tool" and message["tool_call_id"] not in called:
            path = f"messages[{index}].tool_call_id"
            found.append(Finding(0, "semantic.tool_call_id_mismatch", path, "answers no earlier tool call's id"))
    return found


def call_findings(function: dict, declared: dict, path: str) -> list[Finding]:
    name, arguments = function["name"], function["arguments"]
    if name not in declared:
        return [Finding(0, "semantic.unknown_tool", f"{path}.name", f"{name!r} is not among the declared tools")]
    try:
        value = json.loads(arguments)
    except json.JSONDecodeError as error:
        return [Finding(0, "semantic.tool_arguments_json", f"{path}.arguments", f"not JSON: {error.msg}")]
    try:
        errors = list(Draft202012Validator(declared[name]).iter_errors(value))
    except SchemaError:
        return []  # reported on the tool
    return [Finding(0, "semantic.tool_arguments_schema", f"{path}.arguments", e.message[:200]) for e in errors[:3]]


def key_findings(record: dict, messages: list) -> list[Finding]:
    """Aliases next to the documented key are errors (the builder's); other unread keys are warnings."""
    found = [
        Finding(0, "semantic.conflicting_keys", alias, f"'{alias}' and '{key}' together: keep '{key}'")
        for key, alias in CONFLICTS
        if key in record and alias in record
    ]
    found += [
        Finding(0, "semantic.ignored_key", key, "mistral-finetune ignores it") for key in ignored(record, "record")
    ]
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in KEYS or message["role"] == "record":
            continue  # the schema reports a message that is not an object or has no known role
        if "text" in message and "content" in message:
            path = f"messages[{index}].text"
            found.append(Finding(0, "semantic.conflicting_keys", path, "'text' and 'content' together: keep 'content'"))
        for key in ignored(message, message["role"]):
            found.append(Finding(0, "semantic.ignored_key", f"messages[{index}].{key}", "mistral-finetune ignores it"))
    return found


def ignored(value: dict, kind: str) -> list[str]:
    aliases = {alias for _, alias in CONFLICTS} | {"system_prompt", "only_last"} if kind == "record" else {"text"}
    return sorted(key for key in value if key not in KEYS[kind] | aliases)
