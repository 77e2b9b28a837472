"""Tokens of the function definitions (`tools`, legacy `functions`) a chat record sends with its prompt.

OpenAI renders the definitions into the prompt the model is trained on, but does not publish how. The
rule here is the one OpenAI's cookbook gives and checks against the API's reported prompt tokens
("How to count tokens with tiktoken", `num_tokens_for_tools`, openai/openai-cookbook
examples/How_to_count_tokens_with_tiktoken.ipynb): for a non-empty list of functions,

- 12 tokens once for the list (`func_end`);
- per function 7 tokens (`func_init`; 10 for the cl100k_base models gpt-3.5-turbo and gpt-4) plus
  the tokens of `name:description`, one trailing "." of the description dropped;
- when its `parameters.properties` is not empty, 3 tokens (`prop_init`), then per property 3 tokens
  (`prop_key`) plus the tokens of `key:type:description` (one trailing "." dropped);
- a property with an `enum`: -3 tokens (`enum_init`), then per item 3 tokens (`enum_item`) plus the
  item's tokens.

Nested schemas (an object property's own properties, `items`, `required`) are not counted by that
rule, so for deep schemas it is a lower bound: every figure built on it is labelled an estimate.
Where the cookbook would raise (no description, no parameters, a list of types, a number in an enum),
the missing text counts as empty and other values as their JSON text.
"""

import json
from collections.abc import Callable, Iterable

FUNC_INIT = {"o200k_base": 7, "cl100k_base": 10}  # the cookbook's gpt-4o/4o-mini vs gpt-3.5-turbo/gpt-4
PROP_INIT, PROP_KEY, ENUM_INIT, ENUM_ITEM, FUNC_END = 3, 3, -3, 3, 12


def definitions(record: dict) -> tuple[dict, ...]:
    """The function definitions of an OpenAI chat record: `tools[].function`, then legacy `functions`."""
    found = []
    tools = record.get("tools")
    for tool in tools if isinstance(tools, list) else ():
        if isinstance(tool, dict) and isinstance(tool.get("function"), dict):
            found.append(tool["function"])
    functions = record.get("functions")
    found += [function for function in (functions if isinstance(functions, list) else ()) if isinstance(function, dict)]
    return tuple(found)


def definition_tokens(functions: Iterable[dict], length: Callable[[str], int], encoding_name: str) -> int:
    """The cookbook's `num_tokens_for_tools` without its messages part; 0 for no functions."""
    functions = list(functions)
    if not functions:
        return 0
    total = FUNC_END
    for function in functions:
        total += FUNC_INIT.get(encoding_name, FUNC_INIT["o200k_base"])
        total += length(f"{as_text(function.get('name'))}:{without_dot(function.get('description'))}")
        parameters = function.get("parameters")
        properties = parameters.get("properties") if isinstance(parameters, dict) else None
        if not isinstance(properties, dict) or not properties:
            continue
        total += PROP_INIT
        for key, value in properties.items():
            spec = value if isinstance(value, dict) else {}
            total += PROP_KEY
            if "enum" in spec:
                items = spec["enum"] if isinstance(spec["enum"], list) else []
                total += ENUM_INIT + sum(ENUM_ITEM + length(as_text(item)) for item in items)
            total += length(f"{key}:{as_text(spec.get('type', ''))}:{without_dot(spec.get('description'))}")
    return total


def as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False)
    except RecursionError:  # a hostile enum item nested a thousand deep: count it as empty
        return ""


def without_dot(value: object) -> str:
    text = as_text(value)
    return text[:-1] if text.endswith(".") else text
