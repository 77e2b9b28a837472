"""LLaMA-Factory's tool turns in ShareGPT-style records: the `tools` column and function_call/observation turns.

hiyouga/LLaMA-Factory data/README.md (sharegpt format): `tools` is a string holding the JSON list of tool
definitions, a function_call turn's value is the JSON of the call, an observation turn carries its
result. What the trainer does with them (src/llamafactory/data/formatter.py): `ToolFormatter.apply`
json-loads `tools` and hands each definition to the template's `tool_formatter`, which reads `name` and
`parameters` (unwrapping `{"type": "function", "function": {...}}`); `FunctionFormatter.apply`
json-loads the value, a call `{"name", "arguments"}` or a list of them (parallel calls), and raises on
anything else, stopping the run. `arguments` must be an object here: the formatter would json-dump a
string again, so the model would learn to emit a quoted string. The converter (data/converter.py,
`SharegptDatasetConverter`) only places observation turns at odd positions; that an observation answers
the function_call just before it is ftprep's own rule, since a result with no call teaches the model
nothing it can reproduce.
"""

import json

from pipeline.checks.finding import Finding

JSON_TYPES = {dict: "object", str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}


def tool_findings(
    record: dict,
    turns_key: str,
    *,
    role_key: str,
    text_key: str,
    function: str = "function_call",
    observation: str = "observation",
) -> list[Finding]:
    """The `tools` string, every function_call's JSON, and each observation's place. Never raises."""
    found, declared = declared_tools(record.get("tools"))
    turns = record.get(turns_key)
    if not isinstance(turns, list):
        return found  # the schema reports it
    roles = [turn.get(role_key) if isinstance(turn, dict) else None for turn in turns]
    for index, role in enumerate(roles):
        path = f"{turns_key}[{index}]"
        if role == observation and (index == 0 or roles[index - 1] != function):
            found.append(
                Finding(0, "semantic.observation_order", path, "an observation must answer the function_call before it")
            )
        if role == function:
            found += call_findings(turns[index].get(text_key), f"{path}.{text_key}", declared)
    return found


def declared_tools(tools: object) -> tuple[list[Finding], set[str] | None]:
    """(findings, the declared tool names); the names are None when there is no usable list to check against."""
    if tools is None or tools == "" or not isinstance(tools, str):  # the schema reports a non-string
        return [], None
    try:
        value = json.loads(tools)
    except (json.JSONDecodeError, RecursionError) as error:
        message = f"not JSON ({getattr(error, 'msg', 'nesting too deep')}); tools is a JSON list of tool definitions"
        return [Finding(0, "semantic.tools_json", "tools", message)], None
    if not isinstance(value, list):
        kind = JSON_TYPES.get(type(value), "value")
        message = f"a JSON {kind}; tools is a JSON list of tool definitions"
        return [Finding(0, "semantic.tools_json", "tools", message)], None
    found, names = [], set()
    for index, tool in enumerate(value):
        if isinstance(tool, dict) and tool.get("type") == "function" and isinstance(tool.get("function"), dict):
            tool = tool["function"]
        name = tool.get("name") if isinstance(tool, dict) else None
        parameters = tool.get("parameters", {}) if isinstance(tool, dict) else None
        if not isinstance(name, str) or not name or not isinstance(parameters, dict):
            message = "a tool definition is an object with a name and an object of parameters"
            found.append(Finding(0, "semantic.tool_definition", f"tools[{index}]", message))
        else:
            names.add(name)
    return found, names if value and not found else None


def call_findings(value: object, path: str, declared: set[str] | None) -> list[Finding]:
    if not isinstance(value, str):
        return []  # the schema reports it
    try:
        calls = json.loads(value)
    except (json.JSONDecodeError, RecursionError) as error:
        message = f'not JSON ({getattr(error, "msg", "nesting too deep")}); a call is {{"name", "arguments"}}'
        return [Finding(0, "semantic.function_call_json", path, message)]
    found = []
    for call in calls if isinstance(calls, list) and calls else [calls]:
        if not (
            isinstance(call, dict) and isinstance(call.get("name"), str) and isinstance(call.get("arguments"), dict)
        ):
            message = 'a call is a JSON object {"name": string, "arguments": object}, or a list of them'
            found.append(Finding(0, "semantic.function_call_json", path, message))
        elif declared is not None and call["name"] not in declared:
            found.append(Finding(0, "semantic.unknown_tool", path, f"{call['name']!r} is not among the declared tools"))
    return found
