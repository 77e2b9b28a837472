"""OpenAI chat fine-tuning records: `{"messages": [system?, user, assistant, ...]}`."""

import json

import polars as pl
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from pipeline.checks.finding import Finding
from pipeline.records import MESSAGE, conversation

# Unicode White_Space: the one definition of "empty text" shared by the vectorised and per-record checks.
WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
)


def to_records(examples: pl.DataFrame) -> pl.DataFrame:
    """One `messages` column, the system prompt (when set) prepended as the first message."""
    if examples.schema["messages"] == pl.List(MESSAGE) and examples["system"].null_count() == examples.height:
        return examples.select("messages")  # no system prompt anywhere: the conversation is the messages as they are
    return examples.select(messages=conversation())


def semantic_checks(record: dict) -> list[Finding]:
    """Rules a schema cannot express: role order, last turn, empty targets. Never raises."""
    messages = record.get("messages")
    if not isinstance(messages, list) or not messages:
        return []  # the schema already reports it
    found = []
    roles = [message.get("role") if isinstance(message, dict) else None for message in messages]
    if "assistant" not in roles:
        found.append(Finding(0, "semantic.no_assistant", "messages", "no assistant message: nothing to train on"))
    elif roles[-1] != "assistant":
        found.append(
            Finding(
                0,
                "semantic.last_not_assistant",
                f"messages[{len(roles) - 1}]",
                "the last message must be the assistant's",
            )
        )
    for index, role in enumerate(roles):
        if role == "system" and index != 0:
            found.append(
                Finding(0, "semantic.system_not_first", f"messages[{index}]", "a system message may only come first")
            )
        content = messages[index].get("content") if isinstance(messages[index], dict) else None
        if role in ("user", "assistant") and isinstance(content, str) and not content.strip(WHITESPACE):
            found.append(
                Finding(0, "semantic.empty_content", f"messages[{index}].content", f"the {role} message is empty")
            )
    weights = [m.get("weight", 1) for m in messages if isinstance(m, dict) and m.get("role") == "assistant"]
    if weights and not any(weights):
        found.append(Finding(0, "semantic.nothing_trained", "messages", "every assistant message has weight 0"))
    return found + image_checks(messages) + tool_checks(record, messages)


MAX_IMAGES = 10  # per example: developers.openai.com/api/docs/guides/vision-fine-tuning ("up to 10 images")


def image_checks(messages: list) -> list[Finding]:
    """OpenAI's vision fine-tuning guide allows at most 10 images per example."""
    images = sum(
        1
        for message in messages
        if isinstance(message, dict) and isinstance(message.get("content"), list)
        for part in message["content"]
        if isinstance(part, dict) and part.get("type") == "image_url"
    )
    if images <= MAX_IMAGES:
        return []
    message = f"{images} images; OpenAI accepts at most {MAX_IMAGES} per example"
    return [Finding(0, "semantic.too_many_images", "messages", message)]


def declared_tools(record: dict) -> dict[str, object]:
    tools = record.get("tools") or []
    declared = {}
    for tool in tools if isinstance(tools, list) else []:
        function = tool.get("function") if isinstance(tool, dict) else None
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            declared[function["name"]] = function.get("parameters")
    return declared


def tool_checks(record: dict, messages: list) -> list[Finding]:
    """Tool calls name declared tools with JSON arguments valid for their parameters, and get answered."""
    declared, pending, found = declared_tools(record), {}, []
    calls: dict[object, str] = {}  # every call id seen, with the path of its first call
    answered: dict[object, int] = {}  # call id -> index of the tool message that answered it
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            continue
        for call_index, call in enumerate(message.get("tool_calls") or []):
            function = call.get("function") if isinstance(call, dict) else None
            if not isinstance(function, dict):
                continue
            path = f"messages[{index}].tool_calls[{call_index}].function"
            name, arguments = function.get("name"), function.get("arguments")
            call_id = call.get("id")
            if call_id in calls:  # results are matched to calls by id, so a reused id makes the match ambiguous
                reused = f"tool call id {call_id!r} is already used by {calls[call_id]}; give each call its own id"
                found.append(
                    Finding(0, "semantic.tool_call_id_duplicate", f"{path.removesuffix('.function')}.id", reused)
                )
            else:
                calls[call_id] = path.removesuffix(".function")
                pending[call_id] = path
            if declared and name not in declared:
                found.append(
                    Finding(0, "semantic.unknown_tool", f"{path}.name", f"{name!r} is not among the declared tools")
                )
            try:
                value = json.loads(arguments) if isinstance(arguments, str) else None
            except json.JSONDecodeError as error:
                found.append(Finding(0, "semantic.tool_arguments_json", f"{path}.arguments", f"not JSON: {error.msg}"))
                continue
            parameters = declared.get(name) if isinstance(name, str) else None  # the schema made it a string
            if isinstance(parameters, dict) and value is not None:
                try:
                    errors = list(Draft202012Validator(parameters).iter_errors(value))
                except SchemaError:
                    errors = []
                for invalid in errors[:3]:
                    found.append(
                        Finding(0, "semantic.tool_arguments_schema", f"{path}.arguments", invalid.message[:200])
                    )
        if message.get("role") == "tool":
            call_id = message.get("tool_call_id")
            if call_id in pending:
                pending.pop(call_id)
                answered[call_id] = index
            elif call_id in answered:
                found.append(
                    Finding(
                        0,
                        "semantic.tool_result_duplicate",
                        f"messages[{index}].tool_call_id",
                        f"a second result for tool call {call_id!r} (the first is messages[{answered[call_id]}]); "
                        "give each call its own id, or drop the extra result",
                    )
                )
            else:
                found.append(
                    Finding(
                        0,
                        "semantic.tool_result_orphan",
                        f"messages[{index}].tool_call_id",
                        "answers no earlier tool call",
                    )
                )
    final_calls = (
        {call.get("id") for call in (messages[-1].get("tool_calls") or [])} if isinstance(messages[-1], dict) else set()
    )
    for call_id, path in pending.items():
        if call_id not in final_calls:  # a final assistant turn may end with calls: that is what it is trained on
            found.append(
                Finding(
                    0, "semantic.tool_call_unanswered", path, f"tool call {call_id!r} has no tool message answering it"
                )
            )
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


ROLES = {"system", "user", "assistant"}
MESSAGE_KEYS = {"role", "content", "weight"}  # a `name` adds tokens: the general path counts it


def quick_valid(record: dict) -> bool:
    """True only for the common shape (string contents, no tools), already known to pass every check.

    Anything else (tools, content parts, refusals) goes to the compiled schema; tests check that a True
    here always agrees with the full schema and semantic rules.
    """
    messages = record.get("messages")
    if len(record) != 1 or type(messages) is not list or not messages:
        return False
    last = len(messages) - 1
    has_assistant = False
    for index, message in enumerate(messages):
        if type(message) is not dict or not message.keys() <= MESSAGE_KEYS:
            return False
        role, content = message.get("role"), message.get("content")
        if role not in ROLES or type(content) is not str:
            return False
        if role == "system" and index != 0:
            return False
        if role != "system" and not content.strip(WHITESPACE):
            return False
        if "weight" in message and (
            role != "assistant" or message["weight"] not in (0, 1) or type(message["weight"]) is not int
        ):
            return False
        has_assistant = has_assistant or (role == "assistant" and message.get("weight", 1) == 1)
    return has_assistant and messages[last].get("role") == "assistant"  # (weight 0 everywhere: not certain)
