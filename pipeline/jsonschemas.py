"""Loading the JSON Schema files shipped in the `schemas` package, once per process."""

import json
from functools import cache
from importlib import resources

from jsonschema import Draft202012Validator


@cache
def load_schema(name: str) -> dict:
    """The parsed schema `schemas/<name>.schema.json`."""
    text = resources.files("schemas").joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


@cache
def validator(name: str) -> Draft202012Validator:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def json_path(parts: object) -> str:
    """A jsonschema error path as `messages[2].content`, the form users search their files for."""
    text = ""
    for part in parts:  # type: ignore[attr-defined]
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(record)"
