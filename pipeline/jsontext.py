"""JSON text byte for byte as the standard library writes it, made by orjson whenever that is the same text.

The run writes JSON in two shapes: compact with sorted keys (the payload `stable_id` hashes, once per
record) and indented (report.json, manifest.json, shard.json). `json.dumps` spends most of a run's JSON time
in Python; orjson writes the same bytes in a tenth of it for plain values: dicts with string keys, lists,
tuples, strings, 64-bit integers, booleans, None, and floats whose repr orjson keeps (it writes 1e-05 as
0.00001 and NaN as null). Anything else (a float it spells otherwise, an int subclass, a lone surrogate,
a key that is not a string) goes to `json.dumps`, so each value keeps the text, or the error, it had.
"""

import json

import orjson

SCALARS = frozenset({str, int, bool, type(None)})


def compact_sorted(value: object) -> bytes:
    """`json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))` as UTF-8."""
    if plain(value):
        try:
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:  # a lone surrogate or an integer beyond 64 bits
            pass
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def indented(value: object) -> bytes:
    """`json.dumps(value, ensure_ascii=False, indent=2) + "\\n"` as UTF-8."""
    if plain(value):
        try:
            return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
        except orjson.JSONEncodeError:
            pass
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def plain(value: object) -> bool:
    """Whether every part of `value` is of a type orjson writes as json.dumps does."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind in SCALARS:
            continue
        if kind is list or kind is tuple:
            stack.extend(item)  # type: ignore[arg-type]
        elif kind is dict:
            for key, inner in item.items():  # type: ignore[attr-defined]
                if type(key) is not str:
                    return False
                stack.append(inner)
        elif kind is not float or float.__repr__(item) != orjson.dumps(item).decode():  # type: ignore[arg-type]
            return False
    return True
