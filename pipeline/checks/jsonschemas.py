"""Loading the JSON Schema files shipped in the `schemas` package, once per process."""

import json
from collections.abc import Callable, Iterable
from functools import cache
from importlib import resources
from typing import cast

import fastjsonschema
from jsonschema import Draft202012Validator, ValidationError


@cache
def load_schema(name: str) -> dict:
    """The parsed schema `schemas/<name>.schema.json`."""
    text = resources.files("schemas").joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


@cache
def validator(name: str) -> Draft202012Validator:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(inlined(schema))


def inlined(schema: dict) -> dict:
    """The schema with its local `$defs` references replaced by their definitions.

    jsonschema resolves every `$ref` at validation time through its referencing registry, which made
    explaining one invalid chat line cost about 3 ms; inlined, the same errors come out in about 1 ms.
    A recursive definition is left as it is (the original schema is returned).
    """
    definitions = schema.get("$defs", {})
    own = schema.get("$id", "")

    def expand(node: object, seen: tuple[str, ...]) -> object:
        if isinstance(node, list):
            return [expand(item, seen) for item in node]
        if not isinstance(node, dict):
            return node
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.split("#")[0] in ("", own) and "#/$defs/" in reference:
            name = reference.split("#/$defs/")[1]
            if name in seen or name not in definitions:
                raise RecursionError(name)
            target = expand(definitions[name], (*seen, name))
            rest = {key: expand(value, seen) for key, value in node.items() if key != "$ref"}
            return {"allOf": [target, rest]} if rest else target
        return {key: expand(value, seen) for key, value in node.items()}

    try:
        body = expand({key: value for key, value in schema.items() if key != "$defs"}, ())
    except RecursionError:
        return schema
    if not isinstance(body, dict):  # expand() turns a dict into a dict
        raise TypeError(f"inlining a schema gave a {type(body).__name__}, not an object")
    return body


def guarded(node: object) -> object:
    """The schema with each `if` on property values (and no `else`) also requiring those properties.

    Such an `if` (`"if": {"properties": {"role": {"const": "tool"}}}`) is true when the property is
    absent (JSON Schema 2020-12, 10.3.2.1: `properties` constrains only present keys), so a message
    without `role` got the `then` of every role ("tool_call_id is required", "name is required", ...)
    besides the one real error, "role is required". Requiring the tested keys is the usual fix
    (https://json-schema.org/understanding-json-schema/reference/conditionals); it is applied for
    explaining only, to a record the schema as written already found invalid.
    """
    if isinstance(node, list):
        return [guarded(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: guarded(value) for key, value in node.items()}
    condition = result.get("if")
    if isinstance(condition, dict) and "else" not in result and isinstance(condition.get("properties"), dict):
        tested = [key for key, sub in condition["properties"].items() if isinstance(sub, dict) and "const" in sub]
        required = list(dict.fromkeys([*condition.get("required", []), *tested]))
        result["if"] = {**condition, "required": required}
    return result


def json_path(parts: Iterable[str | int]) -> str:
    """A jsonschema error path as `messages[2].content`, the form users search their files for."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(record)"


COMBINATORS = frozenset(
    (
        "allOf",
        "anyOf",
        "oneOf",
        "if",
        "not",
        "dependentSchemas",
        "unevaluatedProperties",
        "unevaluatedItems",
        "prefixItems",
    )
)


@cache
def explainer(name: str) -> Callable[[object], list[ValidationError]]:
    """Every schema error of a record, like `validator(name).iter_errors`, but array items are explained
    one by one and only when a compiled check says the item fails.

    jsonschema costs about 1 ms per chat record because it walks every message; a defective record usually
    has one bad message. The top level is checked with the item schemas left out, each failing item with
    its own schema, and paths are joined. Schemas whose top level combines subschemas (allOf, if, ...) are
    explained whole, and so is a record where the shortcut finds nothing; tests compare both on every
    fixture line and on generated records.
    """
    written = validator(name)
    schema = cast(dict, guarded(written.schema))  # guarded keeps a dict a dict
    properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
    arrays = {
        key: sub["items"]
        for key, sub in properties.items()
        if isinstance(sub, dict) and isinstance(sub.get("items"), dict) and not set(sub) & COMBINATORS
    }
    whole = Draft202012Validator(schema)
    if not arrays or set(schema) & COMBINATORS:
        return lambda record: list(whole.iter_errors(record)) or list(written.iter_errors(record))
    top = {**schema, "properties": {**properties, **{key: without_items(properties[key]) for key in arrays}}}
    top_validator = Draft202012Validator(top)
    items = {key: (compile_or_none(item), Draft202012Validator(item)) for key, item in arrays.items()}

    def explain(record: object) -> list[ValidationError]:
        errors = list(top_validator.iter_errors(record))
        for key, (fast, slow) in items.items():
            values = record.get(key) if isinstance(record, dict) else None
            for index, item in enumerate(values if isinstance(values, list) else []):
                if fast is not None and passes(fast, item):
                    continue
                for error in slow.iter_errors(item):
                    error.path.extendleft((index, key))
                    errors.append(error)
        return errors or list(whole.iter_errors(record)) or list(written.iter_errors(record))

    return explain


def without_items(subschema: dict) -> dict:
    return {key: value for key, value in subschema.items() if key != "items"}


def compile_or_none(schema: dict) -> Callable[[object], object] | None:
    try:
        return fastjsonschema.compile(schema)
    except (fastjsonschema.JsonSchemaDefinitionException, ValueError):
        return None


def passes(check: Callable[[object], object], value: object) -> bool:
    try:
        check(value)
    except fastjsonschema.JsonSchemaException:
        return False
    return True
