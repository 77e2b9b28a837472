"""One record against a target: a quick structural predicate, then a compiled schema, then the explanation.

Most lines of a real file are valid, so the order is what makes validation fast: the target's
`quick_valid` predicate (plain Python over the common shape, microseconds) or a fastjsonschema check
compiled from the same schema file clears them; jsonschema runs only on a record that fails, to name
every violation with its path. Semantic rules and the checks that need text (special tokens,
placeholders, secrets, personal data, a structured-output schema) follow.
"""

import json
import re
from functools import cache

import fastjsonschema
import jsonschema
import polars as pl

from pipeline.checks.explain import schema_findings_of
from pipeline.checks.finding import Finding, placed, short
from pipeline.checks.jsonschemas import explainer, json_path, load_schema
from pipeline.checks.targets import Target
from pipeline.checks.validate.conversation import Conversation
from pipeline.quality import PLACEHOLDER as PLACEHOLDER_ANSWER
from pipeline.quality import SPECIAL_TOKEN
from pipeline.sensitive.detectors import HINTED

PLACEHOLDER = re.compile(PLACEHOLDER_ANSWER)
MARKER_HINTS = ("{{", "[", "<", "lorem", "LOREM", "Lorem")  # every match of PLACEHOLDER but a short whole answer
SHORT_ANSWER = 40  # a whole-answer marker (TODO, TBD, xxx) is shorter than this


def template_marker(answer: str) -> str | None:
    """The unfilled template marker in an answer, or None; the regex runs only where a marker could be."""
    if len(answer.strip()) >= SHORT_ANSWER and not any(map(answer.__contains__, MARKER_HINTS)):
        return None
    found = PLACEHOLDER.search(answer)
    return found.group(0).strip() if found else None


SPECIAL = re.compile(SPECIAL_TOKEN)


@cache
def compiled(schema_name: str):
    """A fastjsonschema validator from the schema file, or None when the schema uses keywords it lacks."""
    schema = {key: value for key, value in load_schema(schema_name).items() if key != "$schema"}
    try:
        return fastjsonschema.compile(schema)
    except (fastjsonschema.JsonSchemaDefinitionException, ValueError):
        return None


def certainly_valid(record: object, target: Target) -> bool:
    """The target's quick predicate: True means schema and semantic rules are already known to pass."""
    return target.quick_valid is not None and isinstance(record, dict) and target.quick_valid(record)


def schema_findings(record: object, target: Target, line: int) -> list[Finding]:
    fast = compiled(target.schema)
    if fast is not None:
        try:
            fast(record)
            return []
        except fastjsonschema.JsonSchemaException:
            pass
    return schema_findings_of(explainer(target.schema)(record), line)


# Lowercase substrings every match of the expensive patterns contains (the special tokens', then every
# detector's of pipeline/sensitive/detectors.py that has hints); they are searched in the lowercased text, and
# `in` on a str is a C-speed search. Detectors without a hint (cards, IBANs, phones, IP addresses) need
# a look at every digit and run in `ftprep prepare` only.
HINTS = tuple(dict.fromkeys(("<|", "inst]", "<<sys", "<</sys", *(hint for d in HINTED for hint in d.hints))))
ONE_PASS_FROM = 1_000_000  # characters: one Aho-Corasick pass (polars) beats a scan per hint


def shows_hint(lowered: str) -> bool:
    """Whether a lowercased text holds any of HINTS: one C-level scan per hint for the usual short text;
    a very long one (a 20 MB answer) in one Aho-Corasick pass instead of len(HINTS) passes."""
    if len(lowered) < ONE_PASS_FROM:
        return any(map(lowered.__contains__, HINTS))
    return bool(pl.Series([lowered], dtype=pl.String).str.contains_any(list(HINTS)).item())


def hints_in(lowered: str) -> set[str]:
    """The HINTS a lowercased text holds: one `in` per hint for a usual text, one Aho-Corasick pass over a
    very long one (on a 20 MB answer 0.13 s against 0.35 s)."""
    if len(lowered) < ONE_PASS_FROM:
        return {hint for hint in HINTS if hint in lowered}
    found = pl.Series([lowered], dtype=pl.String).str.extract_many(list(HINTS), overlapping=True)
    return set(found.explode().drop_nulls().to_list())


def text_findings(
    conversation: Conversation, line: int, structured: bool = False
) -> tuple[list[Finding], list[Finding]]:
    """(errors, warnings) that need the text: template markers, tokens, secrets and personal data warn.

    A template marker only warns: a short answer ("N/A", "[]", "<answer>42</answer>") is what a
    classification or extraction dataset trains on, and a validator cannot tell intent; with a
    response schema (`structured`) the answers are checked against it instead (response_findings).
    One hint scan runs over the joined text of a record; the patterns run only for the rare record that
    shows a hint, and each detector only on a text that shows one of its own.
    """
    errors: list[Finding] = []
    warnings: list[Finding] = []
    for index, answer in enumerate(() if structured else conversation.answers):
        if (marker := template_marker(answer)) is not None:
            message = f"unfilled template marker {marker[:40]!r}; fill it in or drop the record"
            warnings.append(Finding(line, "semantic.placeholder_answer", f"answer[{index}]", message))
    texts = conversation.texts
    joined = "\n".join(text for _, text in texts).lower()
    if not shows_hint(joined):
        return errors, warnings
    for role, text in texts:
        if special := SPECIAL.search(text):
            warnings.append(
                Finding(line, "semantic.special_token", role, f"contains {special.group(0)!r}, a chat-template token")
            )
        lowered = text.lower()
        present = hints_in(lowered)
        found: dict[str, list[str]] = {"secret": [], "personal_data": []}
        for detector in HINTED:
            named = detector.type in found[detector.kind]  # two detectors share generic_secret: named once
            if not named and not present.isdisjoint(detector.hints) and detector.find(text, lowered):
                found[detector.kind].append(detector.type)
        if found["secret"]:
            message = f"contains what looks like a secret ({', '.join(found['secret'])})"
            warnings.append(Finding(line, "semantic.secret", role, message))
        if found["personal_data"]:
            message = f"contains personal data ({', '.join(found['personal_data'])})"
            warnings.append(Finding(line, "semantic.personal_data", role, message))
    return errors, warnings


def response_findings(conversation: Conversation, response_schema: dict | None, line: int) -> list[Finding]:
    """Structured-output datasets: every trained answer must be JSON valid against the user's schema."""
    if response_schema is None:
        return []
    found = []
    checker = jsonschema.Draft202012Validator(response_schema)
    for index, answer in enumerate(conversation.answers):
        try:
            value = json.loads(answer)
        except json.JSONDecodeError as error:
            found.append(Finding(line, "response.not_json", f"answer[{index}]", f"column {error.colno}: {error.msg}"))
            continue
        for invalid in checker.iter_errors(value):
            found.append(
                Finding(
                    line,
                    "response.schema",
                    f"answer[{index}]" + (f".{json_path(invalid.absolute_path)}" if invalid.absolute_path else ""),
                    short(invalid.message),
                )
            )
    return found


def semantic_findings(record: dict, target: Target, line: int) -> list[Finding]:
    try:
        return placed(target.semantic_checks(record), line)
    except Exception as error:  # a rule must never take the validator down; report it as a finding instead
        return [
            Finding(line, "semantic.unchecked", "(record)", f"a rule failed on this record: {type(error).__name__}")
        ]
