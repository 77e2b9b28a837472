"""`ftprep validate --target mistral` against mistral-finetune's sample builder, case by case.

The reference is what mistral-finetune accepts as an instruct sample: `build_instruct_sample` and its
parsers (mistralai/mistral-finetune@1943535 finetune/data/tokenize.py, exceptions.py; the exceptions
utils/validate_data.py counts as data errors; any other exception stops that script, so it is a
rejection too) and mistral-common's `MistralRequestValidatorV3(ValidationMode.finetuning)`
(src/mistral_common/protocol/instruct/validator.py @bc022b9, as /work/shared formats.md 4.2 restates it:
tool may follow tool or user, and only *more* responses than calls fail at the end). `reference_error`
restates those rules here; it does not import them. Tokenization is left out: validate_data.py uses the
text-only v3 tokenizer, which no image-capable (Pixtral) fine-tune would.

Every case names the reference's verdict. ftprep must give the same verdict (no error line when the
reference accepts, at least one when it rejects); where ftprep says more than the reference, the case
names the warning and the Mistral doc (or ftprep rule) behind it, and it must stay a warning.
`test_the_mistral_common_oracle_agrees` replays the table through the real mistral-common when it is
installed (it is not a dependency).
"""

import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator
from jsonschema.exceptions import SchemaError

from pipeline.checks.format import check_record, validate_file
from pipeline.checks.targets import get_target

TARGET = get_target("mistral")

# Where ftprep says more than mistral-finetune, the source of the extra rule.
DOCS = "docs.mistral.ai text_finetuning (platform-docs-public text_vision_finetuning.md@222f4ba)"
FUNCTION_CALLING = f"{DOCS}, function calling"


def user(content: object = "What is the weather in Paris?") -> dict:
    return {"role": "user", "content": content}


def assistant(content: object = "It is sunny in Paris today.", **extra: object) -> dict:
    return {"role": "assistant", "content": content, **extra}


def system(content: object = "Answer briefly.") -> dict:
    return {"role": "system", "content": content}


def call(id: object = "abcDEF123", name: str = "get_weather", arguments: object = '{"city": "Paris"}') -> dict:
    return {"id": id, "type": "function", "function": {"name": name, "arguments": arguments}}


def calls(*items: dict, **extra: object) -> dict:
    return {"role": "assistant", "tool_calls": list(items), **extra}


def result(tool_call_id: object = "abcDEF123", content: object = '{"sky": "sunny"}') -> dict:
    return {"role": "tool", "content": content, "tool_call_id": tool_call_id}


def tool(parameters: object = None, name: str = "get_weather") -> dict:
    if parameters is None:
        parameters = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    return {
        "type": "function",
        "function": {"name": name, "description": "The weather of a city", "parameters": parameters},
    }


def chat(*messages: dict, **top: object) -> dict:
    return {"messages": list(messages), **top}


TOOLS = [tool()]
IMAGE = "https://example.com/map.png"


@dataclass(frozen=True)
class Case:
    name: str
    record: object
    valid: bool  # the reference's verdict
    warns: str | None = None  # the warning ftprep adds (valid cases only)
    why: str = ""  # the doc or rule behind the warning, or a note on the reference


CASES = [
    # Role order and the last turn.
    Case("user_assistant", chat(user(), assistant()), True),
    Case("multi_turn", chat(user(), assistant(), user("And in Rome?"), assistant("Cloudy in Rome.")), True),
    Case("user_user_assistant", chat(user(), user("Be precise."), assistant()), True, why="user may follow user"),
    Case("assistant_assistant", chat(user(), assistant(), assistant("Also warm.")), True),
    Case("last_user", chat(user(), assistant(), user()), False, why="Expected last role Assistant"),
    Case("only_user", chat(user()), False),
    Case("only_assistant", chat(assistant()), False, why="a single message must be user or system"),
    Case("empty_messages", chat(), False, why="Conversation must have at least one message"),
    Case(
        "starts_with_assistant",
        chat(assistant(), user(), assistant()),
        True,
        "semantic.first_not_user",
        f"{DOCS}: a user-assistant conversation; the validator allows any first turn of several",
    ),
    Case("unknown_role", chat(user(), {"role": "bot", "content": "Hi."}), False, why="UnrecognizedRoleError"),
    Case("role_missing", chat(user(), {"content": "Hi."}), False),
    Case("message_not_object", chat(user(), "Hi."), False),
    Case("not_an_object", [user(), assistant()], False),
    Case("messages_missing", {"tools": TOOLS}, False),
    # The system message: one, and taken out of the order (it becomes the system prompt).
    Case("system_first", chat(system(), user(), assistant()), True),
    Case(
        "system_last",
        chat(user(), assistant(), system()),
        True,
        "semantic.system_not_first",
        f"{DOCS}: the system prompt opens the conversation; mistral-finetune moves it wherever it is",
    ),
    Case("two_systems", chat(system(), user(), system(), assistant()), False, why="only one system message"),
    Case("system_then_assistant", chat(system(), assistant()), False, why="one message left: it must be user"),
    Case("only_system", chat(system()), False),
    Case("system_content_missing", chat({"role": "system"}, user(), assistant()), False),
    Case("system_content_list", chat(system([{"type": "text", "text": "Hi"}]), user(), assistant()), False),
    # Empty and blank text.
    Case("assistant_empty", chat(user(), assistant("")), False, why="content or tool_calls, not neither"),
    Case("assistant_null", chat(user(), assistant(None)), False),
    Case("assistant_blank", chat(user(), assistant("   ")), True, "semantic.blank_content", "ftprep: nothing to learn"),
    Case("user_empty", chat(user(""), assistant()), True, "semantic.blank_content", "ftprep: an answer to nothing"),
    Case("user_content_missing", chat({"role": "user"}, assistant()), False),
    Case("user_content_number", chat(user(42), assistant()), False),
    # Content chunks (user: text and image_url; the v3 validator's allowed chunk types).
    Case("user_text_chunks", chat(user([{"type": "text", "text": "Weather?"}]), assistant()), True),
    Case(
        "user_image_url_string",
        chat(user([{"type": "text", "text": "Where?"}, {"type": "image_url", "image_url": IMAGE}]), assistant()),
        True,
        why="validate_data.py's text-only v3 tokenizer would fail it; a vision fine-tune takes it",
    ),
    Case(
        "user_image_url_object",
        chat(user([{"type": "image_url", "image_url": {"url": IMAGE}}]), assistant()),
        True,
        "semantic.image_url_object",
        f"{DOCS}: image_url is a string (URL or data URL)",
    ),
    Case("user_chunk_unknown_type", chat(user([{"type": "audio", "audio": "x"}]), assistant()), False),
    Case("user_chunks_empty", chat(user([]), assistant()), True, "semantic.blank_content", "ftprep: no prompt"),
    Case("assistant_chunks", chat(user(), assistant([{"type": "text", "text": "Sunny."}])), False),
    # Tool calls and responses: counts.
    Case("one_call_one_result", chat(user(), calls(call()), result(), assistant(), tools=TOOLS), True),
    Case(
        "two_calls_two_results",
        chat(user(), calls(call(), call("xyzXYZ789")), result(), result("xyzXYZ789"), assistant(), tools=TOOLS),
        True,
    ),
    Case(
        "two_calls_one_result",
        chat(user(), calls(call(), call("xyzXYZ789")), result(), assistant(), tools=TOOLS),
        False,
        why="Not the same number of function calls and responses",
    ),
    Case(
        "one_call_two_results",
        chat(user(), calls(call()), result(), result(), assistant(), tools=TOOLS),
        False,
        why="Not the same number of function calls and responses",
    ),
    Case("call_unanswered", chat(user(), calls(call()), assistant(), tools=TOOLS), False),
    Case("final_call", chat(user(), calls(call()), tools=TOOLS), True, why="the last turn may be the call itself"),
    Case("result_without_call", chat(user(), assistant(), result(), assistant()), False),
    Case("result_after_user", chat(user(), result(), assistant()), False, why="tool cannot follow user"),
    Case(
        "result_then_user",
        chat(user(), calls(call()), result(), user("Thanks."), assistant(), tools=TOOLS),
        True,
        why="tool may be followed by user",
    ),
    Case(
        "trailing_extra_result",
        chat(user(), calls(call()), result(), result(), tools=TOOLS),
        False,
        why="More tool responses than tool calls (and the last turn is a tool)",
    ),
    Case(
        "first_turn_calls",
        chat(calls(call()), result(), assistant(), tools=TOOLS),
        False,
        why="the count skips the first message, so its calls are never expected",
    ),
    # Tool call ids.
    Case(
        "result_id_matches_no_call",
        chat(user(), calls(call()), result("zzzZZZ999"), assistant(), tools=TOOLS),
        True,
        "semantic.tool_call_id_mismatch",
        f"{FUNCTION_CALLING}: each tool_call_id matches an id of an earlier call",
    ),
    Case("call_id_short", chat(user(), calls(call("abc12345")), result("abc12345"), assistant(), tools=TOOLS), False),
    Case("call_id_long", chat(user(), calls(call("abcDEF1234")), result("abcDEF1234"), assistant()), False),
    Case("call_id_symbol", chat(user(), calls(call("abc-EF123")), result("abc-EF123"), assistant()), False),
    Case("result_id_short", chat(user(), calls(call()), result("abc"), assistant(), tools=TOOLS), False),
    Case("result_id_missing", chat(user(), calls(call()), {"role": "tool", "content": "x"}, assistant()), False),
    Case("call_id_missing", chat(user(), calls({"function": {"name": "f", "arguments": "{}"}})), False),
    Case("final_call_id_null", chat(user(), calls(call("null")), tools=TOOLS), True, why="'null' only last"),
    Case("earlier_call_id_null", chat(user(), calls(call("null")), result(), assistant(), tools=TOOLS), False),
    # Arguments.
    Case("arguments_object", chat(user(), calls(call(arguments={"city": "Paris"})), tools=TOOLS), False),
    Case(
        "arguments_not_json",
        chat(user(), calls(call(arguments="city=Paris")), tools=TOOLS),
        True,
        "semantic.tool_arguments_json",
        f"{FUNCTION_CALLING}: arguments are a JSON string",
    ),
    Case(
        "arguments_off_schema",
        chat(user(), calls(call(arguments='{"town": "Paris"}')), tools=TOOLS),
        True,
        "semantic.tool_arguments_schema",
        f"{FUNCTION_CALLING}: tools define the calls' parameters",
    ),
    Case("arguments_missing", chat(user(), calls({"id": "abcDEF123", "function": {"name": "f"}})), False),
    # Tools.
    Case(
        "undeclared_tool",
        chat(user(), calls(call(name="get_time")), result(), assistant(), tools=TOOLS),
        True,
        "semantic.unknown_tool",
        f"{FUNCTION_CALLING}: tools must define every tool used",
    ),
    Case("parameters_not_schema", chat(user(), assistant(), tools=[tool({"type": "objekt"})]), False),
    Case("parameters_bad_property", chat(user(), assistant(), tools=[tool({"properties": {"a": {"type": 1}}})]), False),
    Case("parameters_empty", chat(user(), assistant(), tools=[tool({})]), True),
    Case("parameters_string", chat(user(), assistant(), tools=[tool("none")]), False),
    Case("tool_name_bad", chat(user(), assistant(), tools=[tool(name="get weather")]), False),
    Case("tool_without_function", chat(user(), assistant(), tools=[{"type": "function"}]), False),
    Case(
        "tool_without_description",
        chat(user(), assistant(), tools=[{"type": "function", "function": {"name": "f", "parameters": {}}}]),
        False,
    ),
    Case("tools_empty", chat(user(), assistant(), tools=[]), True),
    Case("tools_null", chat(user(), assistant(), tools=None), True),
    Case("tools_and_available_tools", chat(user(), assistant(), tools=TOOLS, available_tools=TOOLS), False),
    # Assistant with content and tool calls.
    Case("content_and_calls", chat(user(), calls(call(), content="Let me look."), tools=TOOLS), False),
    Case("empty_content_and_calls", chat(user(), calls(call(), content=""), tools=TOOLS), True, why="'' is no content"),
    Case("null_content_and_calls", chat(user(), calls(call(), content=None), tools=TOOLS), True),
    Case("content_and_empty_calls", chat(user(), calls(content="Sunny.")), True, why="[] is no tool call"),
    Case("empty_calls_only", chat(user(), calls()), False, why="neither content nor tool calls"),
    # Weights.
    Case("weight_0", chat(user(), assistant(weight=0), user("And Rome?"), assistant()), True),
    Case("weight_1", chat(user(), assistant(weight=1)), True),
    Case("weight_float_1", chat(user(), assistant(weight=1.0)), True),
    Case("weight_half", chat(user(), assistant(weight=0.5)), False, why="weight must be either 0 or 1"),
    Case("weight_2", chat(user(), assistant(weight=2)), False),
    Case("weight_null", chat(user(), assistant(weight=None)), True, why="None is the default weight"),
    Case(
        "weight_string",
        chat(user(), assistant(weight="1")),
        True,
        "semantic.weight_type",
        f"{DOCS}: weight is 0 or 1 (mistral-common's pydantic reads '1' as 1.0)",
    ),
    Case("weight_word", chat(user(), assistant(weight="yes")), False),
    # Keys the builder ignores or refuses.
    Case(
        "prefix",
        chat(user(), assistant(prefix=True)),
        True,
        "semantic.ignored_key",
        "mistral-finetune drops prefix (a chat-completion option, not training data)",
    ),
    Case(
        "extra_top_level_key",
        chat(user(), assistant(), id="row-1"),
        True,
        "semantic.ignored_key",
        "mistral-finetune ignores it; the Mistral docs name only messages and tools",
    ),
    Case("content_and_text", chat(user(), {"role": "assistant", "content": "A.", "text": "B."}), False),
    Case("messages_and_interactions", chat(user(), assistant(), interactions=[user(), assistant()]), False),
    Case(
        "system_prompt_and_system",
        chat(system(), user(), assistant(), system_prompt="Be brief."),
        False,
        why="Multiple messages with role 'system'",
    ),
]

# --- The reference, restated ------------------------------------------------------------------------------

ID = re.compile(r"^[a-zA-Z0-9]{9}$")
NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
NEXT = {  # MistralRequestValidator._validate_message_order
    "system": {"user", "assistant", "system"},
    "user": {"assistant", "system", "user"},
    "assistant": {"assistant", "user", "tool"},
    "tool": {"assistant", "tool", "user"},
}


def as_float(value: object) -> float | None:
    """pydantic's lax float: numbers, booleans and numeric strings; anything else fails the model."""
    if isinstance(value, bool | int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a float")


def chunks_ok(content: object) -> bool:
    """UserMessage content: a string, or text and image_url chunks (the v3 validator's user chunk types)."""
    if isinstance(content, str):
        return True
    if not isinstance(content, list):
        return False
    for chunk in content:
        kind = chunk.get("type") if isinstance(chunk, dict) else None
        if kind == "text" and isinstance(chunk.get("text"), str):
            continue
        image = chunk.get("image_url") if isinstance(chunk, dict) else None
        if kind == "image_url" and (
            isinstance(image, str) or (isinstance(image, dict) and isinstance(image.get("url"), str))
        ):
            continue
        return False
    return True


def parse_tools(tools: list) -> str | None:
    for item in tools:
        function = item.get("function") if isinstance(item, dict) else None
        if not isinstance(function, dict) or any(key not in function for key in ("name", "description", "parameters")):
            return "FunctionFormatError"
        if not isinstance(function["parameters"], dict):
            return "FunctionFormatError: parameters"
        if not isinstance(function["name"], str) or not isinstance(function["description"], str):
            return "pydantic: Function"
        try:
            Draft7Validator.check_schema(function["parameters"])
        except SchemaError:
            return "InvalidToolSchemaException"
        if not NAME.match(function["name"]):
            return "InvalidToolException"
    return None


def parse_message(message: object) -> tuple[str, object, list | None, float | None] | str:
    """(role, content, tool calls, weight) as build_instruct_sample makes them, or its error."""
    if not isinstance(message, dict) or "role" not in message:
        return "MessageFormatError: role"
    role = message["role"]
    if "content" in message and "text" in message:
        return "MessageFormatError: content and text"
    content = message.get("content") if message.get("content") is not None else message.get("text")
    tool_calls = message.get("tool_calls")
    if tool_calls is None and content is None:
        return "MessageFormatError: no content"
    if role not in NEXT:
        return "UnrecognizedRoleError"
    if role == "user" and not chunks_ok(content):
        return "pydantic: UserMessage"
    if role in ("system", "tool") and not isinstance(content, str):
        return f"pydantic: {role} content"
    weight = None
    if role == "assistant":
        if content is not None and not isinstance(content, str):
            return "pydantic: assistant content"
        if tool_calls is not None:
            if not isinstance(tool_calls, list) or not all(isinstance(item, dict) for item in tool_calls):
                return "ToolCallFormatError"
            if any("id" not in item or not isinstance(item.get("function"), dict) for item in tool_calls):
                return "ToolCallFormatError: id, function"
            if any("name" not in item["function"] or "arguments" not in item["function"] for item in tool_calls):
                return "ToolCallFormatError: name, arguments"
            if not all(isinstance(item["function"]["arguments"], str) for item in tool_calls):
                return "ToolCallFormatError: arguments"
            if not all(
                isinstance(item["id"], str) and isinstance(item["function"]["name"], str) for item in tool_calls
            ):
                return "pydantic: ToolCall"
        try:
            weight = None if message.get("weight") is None else as_float(message["weight"])
        except ValueError:
            return "pydantic: weight"
    if role == "tool":
        if "tool_call_id" not in message:
            return "MessageFormatError: tool_call_id"
        if not isinstance(message["tool_call_id"], str) or not ID.match(message["tool_call_id"]):
            return "InvalidToolMessageException: id"  # None stops the script: InvalidRequestException
        if message.get("name") is not None and not (isinstance(message["name"], str) and NAME.match(message["name"])):
            return "InvalidToolMessageException: name"
    return role, content, tool_calls, weight


def structure_error(turns: list[tuple[str, object, list | None, float | None]]) -> str | None:
    """MistralRequestValidatorV3(finetuning).validate_messages over the non-system messages."""
    roles = [role for role, *_ in turns]
    if not roles:
        return "Conversation must have at least one message"
    if len(roles) == 1 and roles[0] not in ("user", "system"):
        return "Conversation must start with a user message or system message"
    if roles[-1] != "assistant":
        return "Expected last role Assistant for finetuning"
    if any(now not in NEXT[before] for before, now in itertools.pairwise(roles)):
        return "Unexpected role"
    expected = 0
    for role, _, tool_calls, _ in turns[1:]:  # the validator skips the first message
        if role == "tool":
            expected -= 1
        elif role == "assistant":
            if expected:
                return "Not the same number of function calls and responses"
            expected = len(tool_calls) if tool_calls is not None else 0
    if expected < 0:
        return "More tool responses than tool calls"
    for index, (role, content, tool_calls, weight) in enumerate(turns):
        if role != "assistant":
            continue
        if bool(content) == bool(tool_calls):
            return "Assistant message must have either content or tool_calls, but not both."
        for item in tool_calls or []:
            if item["id"] == "null" and index != len(turns) - 1:
                return "Tool call id of assistant message that is not last has to be defined"
            if item["id"] != "null" and not ID.match(item["id"]):
                return "Tool call id must be a-z, A-Z, 0-9, with a length of 9"
            if not NAME.match(item["function"]["name"]):
                return "InvalidFunctionCallException: name"
        if weight is not None and weight not in (0, 1):
            return "Assistant message weight must be either 0 or 1"
    return None


def reference_error(record: object) -> str | None:
    """Why mistral-finetune refuses the record (build_instruct_sample, then the validator), or None."""
    if not isinstance(record, dict):
        return "not an object"
    keys = [key for key in ("messages", "interactions") if key in record]
    if len(keys) != 1:
        return "ConversationFormatError: messages or interactions"
    if "available_tools" in record and "tools" in record:
        return "ConversationFormatError: available_tools and tools"
    tools = record.get("tools") or record.get("available_tools") or []
    if error := parse_tools(tools):
        return error
    messages = record[keys[0]]
    if not isinstance(messages, list):
        return "not a list of messages"
    system_prompt, turns = record.get("system_prompt"), []
    for message in messages:
        parsed = parse_message(message)
        if isinstance(parsed, str):
            return parsed
        if parsed[0] == "system":
            if system_prompt is not None:
                return "Multiple messages with role 'system'"
            system_prompt = parsed[1]
        else:
            turns.append(parsed)
    return structure_error(turns)


# --- The table against the reference, ftprep and the real mistral-common --------------------------------


def test_the_table_has_enough_cases_and_unique_names():
    assert len(CASES) >= 50
    assert len({case.name for case in CASES}) == len(CASES)
    assert all(case.warns is None or case.valid for case in CASES)  # a warning only ever softens a refusal


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_the_table_states_the_reference(case):
    assert (reference_error(case.record) is None) == case.valid, reference_error(case.record)


def verdicts(tmp_path: Path) -> dict[str, tuple[set[str], set[str]]]:
    """One JSONL file of every case through `ftprep validate`: each case's (error codes, warning codes)."""
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(case.record) + "\n" for case in CASES), encoding="utf-8")
    found = validate_file(path, "mistral", tokens=False, workers=1)
    by_line: dict[int, tuple[set[str], set[str]]] = {line: (set(), set()) for line in range(1, len(CASES) + 1)}
    for finding in found.errors:
        if finding.line:
            by_line[finding.line][0].add(finding.code)
    for finding in found.warnings:
        if finding.line:
            by_line[finding.line][1].add(finding.code)
    return {case.name: by_line[index] for index, case in enumerate(CASES, start=1)}


def test_ftprep_validate_gives_the_reference_verdict(tmp_path):
    results = verdicts(tmp_path)
    disagreements = {
        case.name: sorted(results[case.name][0]) for case in CASES if (not results[case.name][0]) != case.valid
    }
    assert disagreements == {}
    missing_warnings = {
        case.name: sorted(results[case.name][1])
        for case in CASES
        if case.warns and case.warns not in results[case.name][1]
    }
    assert missing_warnings == {}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_the_format_stage_gives_the_reference_verdict(case):
    """prepare's format stage rejects on exactly the same rules (check_record: errors only)."""
    assert (not check_record(case.record, TARGET)) == case.valid


def agreement(results: dict[str, tuple[set[str], set[str]]]) -> int:
    return sum((not results[case.name][0]) == case.valid for case in CASES)


# --- Generated conversations: the restated reference and ftprep agree beyond the table ----------------------

turn = st.one_of(
    st.builds(user, st.sampled_from(["What is the weather?", "", "  "])),
    st.builds(assistant, st.sampled_from(["Sunny.", "", " ", None])),
    st.builds(system),
    st.builds(
        lambda ids: calls(*(call(id) for id in ids)),
        st.lists(st.sampled_from(["abcDEF123", "xyzXYZ789", "null", "short"]), max_size=3),
    ),
    st.builds(result, st.sampled_from(["abcDEF123", "xyzXYZ789", "zzzZZZ999"])),
)


@settings(max_examples=300, deadline=None)
@given(messages=st.lists(turn, max_size=7), with_tools=st.booleans())
def test_generated_conversations_get_the_reference_verdict(messages, with_tools):
    record = chat(*messages, **({"tools": TOOLS} if with_tools else {}))
    assert (not check_record(record, TARGET)) == (reference_error(record) is None), reference_error(record)


@pytest.mark.conformance
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_the_mistral_common_oracle_agrees(case):
    """The builder's steps with mistral-common's own models and validator (installed separately, never required)."""
    oracle = pytest.importorskip("mistral_common.protocol.instruct.validator")
    messages_module = pytest.importorskip("mistral_common.protocol.instruct.messages")
    tool_calls = pytest.importorskip("mistral_common.protocol.instruct.tool_calls")
    assert oracle_accepts(case.record, oracle, messages_module, tool_calls) == case.valid


def oracle_accepts(record: object, oracle, messages_module, tool_calls) -> bool:
    """build_instruct_sample's construction (messages, system prompt, tools), then the V3 finetuning validator."""
    try:
        if not isinstance(record, dict) or ("messages" in record) == ("interactions" in record):
            return False
        if "available_tools" in record and "tools" in record:
            return False
        tools = []
        for item in record.get("tools") or record.get("available_tools") or []:
            function = item["function"]
            for key in ("name", "description", "parameters"):
                function[key]
            if not isinstance(function["parameters"], dict):
                return False
            tools.append(
                tool_calls.Tool(
                    function=tool_calls.Function(**{k: function[k] for k in ("name", "description", "parameters")})
                )
            )
        system_prompt, built = record.get("system_prompt"), []
        for message in record.get("messages", record.get("interactions")):
            role = message["role"]
            if "content" in message and "text" in message:
                return False
            content = message.get("content") if message.get("content") is not None else message.get("text")
            if message.get("tool_calls") is None and content is None:
                return False
            if role == "user":
                built.append(messages_module.UserMessage(content=content))
            elif role == "assistant":
                parsed = None
                if message.get("tool_calls") is not None:
                    if not all(isinstance(c["function"]["arguments"], str) for c in message["tool_calls"]):
                        return False
                    parsed = [
                        tool_calls.ToolCall(
                            id=c["id"],
                            function=tool_calls.FunctionCall(
                                name=c["function"]["name"], arguments=c["function"]["arguments"]
                            ),
                        )
                        for c in message["tool_calls"]
                    ]
                built.append(
                    messages_module.FinetuningAssistantMessage(
                        content=content, tool_calls=parsed, weight=message.get("weight")
                    )
                )
            elif role == "system":
                if system_prompt is not None or not isinstance(content, str):
                    return False
                system_prompt = content
            elif role == "tool":
                built.append(
                    messages_module.ToolMessage(
                        content=content, tool_call_id=message["tool_call_id"], name=message.get("name")
                    )
                )
            else:
                return False
        validator = oracle.MistralRequestValidatorV3(oracle.ValidationMode.finetuning)
        validator.validate_messages(built)
        validator._validate_tools(tools)
        if any(
            isinstance(m, messages_module.FinetuningAssistantMessage) and isinstance(m.content, list) for m in built
        ):
            return False  # the v3 tokenizer refuses chunked assistant content ("must be a string for tokenizer < V7")
    except Exception:  # any exception stops the reference's validate_data.py: a refusal
        return False
    return True
