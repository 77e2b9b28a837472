"""Schema errors a person can act on: the branch a record selects, at the field at fault, once per cause.

jsonschema reports a failed `oneOf`/`anyOf` as "<the whole value> is not valid under any of the given
schemas" on the parent, and keeps what each branch found in `error.context`. A record selects its
branch by a discriminating key (`"type": "text"` picks the text part) or by its JSON type (a string
content is the string branch); that branch's errors, at their own paths, are the ones to fix. A record
that selects no branch gets one error that says what the key or the type may be.
One error per cause: the explaining schemas guard their `if`s (jsonschemas.guarded), and equal
findings are reported once.
"""

from collections.abc import Iterable

from jsonschema import ValidationError
from jsonschema.exceptions import best_match

from pipeline.checks.finding import Finding, short
from pipeline.checks.jsonschemas import json_path

JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
}


def schema_findings_of(errors: Iterable[ValidationError], line: int) -> list[Finding]:
    """Findings for a record's schema errors: combinators resolved to their branch, duplicates dropped."""
    found: dict[tuple[str, str, str], Finding] = {}
    for error in errors:
        for finding in actionable(error, line):
            found.setdefault((finding.path, finding.code, finding.message), finding)
    # A wrong discriminator ("type": "image_url" where only "text" parts are allowed) explains the missing
    # and unexpected keys of its object: report it alone.
    decided = {parent(finding.path) for finding in found.values() if finding.code == "schema.const"}
    kept = [f for f in found.values() if not (f.path in decided and f.code in CONSEQUENCES)]
    return sorted(kept, key=lambda finding: finding.path)


CONSEQUENCES = frozenset(("schema.required", "schema.additionalProperties", "schema.unevaluatedProperties"))


def parent(path: str) -> str:
    """`messages[0].content[1]` of `messages[0].content[1].type`; `(record)` of a top-level key."""
    cut = path.rfind(".")
    return path[:cut] if cut > 0 else "(record)"


def actionable(error: ValidationError, line: int) -> list[Finding]:
    if error.validator == "const":
        message = f"{short(repr(error.instance), 60)} is not allowed here; expected {error.validator_value!r}"
        return [Finding(line, "schema.const", json_path(error.absolute_path), message)]
    if error.validator not in ("oneOf", "anyOf") or not error.context or not isinstance(error.validator_value, list):
        return [Finding(line, f"schema.{error.validator}", json_path(error.absolute_path), short(error.message))]
    branches = error.validator_value
    chosen = selected_branch(error.instance, branches)
    if chosen is None:
        return [no_branch(error, branches, line) or fallback(error, line)]
    inside = [sub for sub in error.context if sub.relative_schema_path and sub.relative_schema_path[0] == chosen]
    if not inside:  # the branch passed: oneOf failed because another branch passed too
        return [Finding(line, f"schema.{error.validator}", json_path(error.absolute_path), short(error.message))]
    return [finding for sub in inside for finding in actionable(sub, line)]


def selected_branch(instance: object, branches: list) -> int | None:
    """The branch the value selects: by its discriminating keys' values, else by its JSON type."""
    if isinstance(instance, dict):
        keyed = [i for i, branch in enumerate(branches) if (consts := constants(branch)) and matches(instance, consts)]
        if len(keyed) == 1:
            return keyed[0]
    typed = [i for i, branch in enumerate(branches) if instance_types(branch, instance)]
    return typed[0] if len(typed) == 1 else None


def no_branch(error: ValidationError, branches: list, line: int) -> Finding | None:
    """One error when no branch fits the value: what its discriminating key or its type may be."""
    instance, path = error.instance, error.absolute_path
    if isinstance(instance, dict):
        keys = {key for branch in branches for key in constants(branch)}
        for key in sorted(keys):
            allowed = [constants(branch)[key] for branch in branches if key in constants(branch)]
            if key not in instance:
                return Finding(line, "schema.required", json_path(path), f"{key!r} is a required property")
            if instance[key] not in allowed:
                message = f"{instance[key]!r} is not one of {allowed}"
                return Finding(line, "schema.enum", json_path([*path, key]), message)
    needs = [b["required"] for b in branches if isinstance(b, dict) and isinstance(b.get("required"), list)]
    if isinstance(instance, dict) and len(needs) == len(branches) and all(needs):
        # Alternatives of required keys (an assistant turn needs content, tool_calls or function_call)
        said = [
            " and ".join(f"{key!r}{' (not null)' if instance.get(key, 0) is None else ''}" for key in n) for n in needs
        ]
        message = f"needs {', or '.join(said)}"
        return Finding(line, f"schema.{error.validator}", json_path(path), message)
    types = " or ".join(repr(name) for name in dict.fromkeys(n for branch in branches for n in declared_types(branch)))
    if types and not any(instance_types(branch, instance) for branch in branches):
        return Finding(line, "schema.type", json_path(path), f"{short(repr(instance), 60)} is not of type {types}")
    return None


def fallback(error: ValidationError, line: int) -> Finding:
    """jsonschema's own pick of the most relevant branch error, at its path."""
    best = best_match(error.context or [error])
    return Finding(line, f"schema.{best.validator}", json_path(best.absolute_path), short(best.message))


def parts(branch: object) -> list[dict]:
    """A branch and the members of its `allOf` (inlined `$ref`s become `allOf: [definition, rest]`)."""
    if not isinstance(branch, dict):
        return []
    members = branch.get("allOf")
    return [branch, *(part for member in (members if isinstance(members, list) else []) for part in parts(member))]


def constants(branch: object) -> dict[str, object]:
    found: dict[str, object] = {}
    for part in parts(branch):
        for key, sub in (part.get("properties") or {}).items():
            if isinstance(sub, dict) and "const" in sub:
                found[key] = sub["const"]
    return found


def matches(instance: dict, consts: dict[str, object]) -> bool:
    return all(key in instance and instance[key] == value for key, value in consts.items())


def declared_types(branch: object) -> list[str]:
    names: list[str] = []
    for part in parts(branch):
        declared = part.get("type")
        names += [declared] if isinstance(declared, str) else [n for n in declared or [] if isinstance(n, str)]
    return names


def instance_types(branch: object, instance: object) -> bool:
    """Whether the value has one of the branch's declared JSON types (False when it declares none)."""
    for name in declared_types(branch):
        kinds = JSON_TYPES.get(name, ())
        if isinstance(instance, kinds) and not (isinstance(instance, bool) and name in ("integer", "number")):
            return True
    return False
