"""The per-line engine: parse a line, check it against the target, and return its findings and key material.

It explains every kind of defect, for every target; the columnar pass (columnar.py) only settles the
lines it can prove clean and sends the rest here. Runs in worker processes for large files.
"""

from dataclasses import dataclass, field

import orjson

from pipeline.checks.finding import Finding
from pipeline.checks.targets import Target, get_target
from pipeline.checks.validate.conversation import Conversation, record_conversation
from pipeline.checks.validate.counting import TokenCounter, figures
from pipeline.checks.validate.lines import parse_line
from pipeline.checks.validate.nul import may_hold_nul
from pipeline.checks.validate.record_checks import (
    certainly_valid,
    response_findings,
    schema_findings,
    semantic_findings,
    shows_hint,
    template_marker,
    text_findings,
)


@dataclass
class ChunkResult:
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)  # key material in keys.MATERIAL's order


def check_range(task: tuple) -> "ChunkResult":
    job, path, start, end, first_line = task
    with open(path, "rb") as handle:
        handle.seek(start)
        data = handle.read(end - start)
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return check_chunk((job, [(first_line + index, line.rstrip(b"\r")) for index, line in enumerate(lines)]))


def record_key(raw: bytes) -> str:
    return raw.strip().decode("utf-8", "replace")


def prompt_turns(talk: Conversation) -> list[tuple[str, str]]:
    """The turns before the last assistant turn: what the prompt of a duplicate or conflict is."""
    last = max((i for i, (role, _) in enumerate(talk.turns) if role == "assistant"), default=len(talk.turns))
    return list(talk.turns[:last])


def shape_of(record: dict, target: Target) -> tuple[str, ...]:
    """What the mixed-format check compares: the target's name for the record's form, else its sorted keys."""
    form = target.form_of(record) if target.form_of is not None else None
    return (form,) if form is not None else tuple(sorted(record))


def check_chunk(task: tuple) -> ChunkResult:
    """Parse and check a chunk of (line number, bytes); runs in a worker process."""
    (target_name, count_tokens, response_schema, encoding_name, limit, file), chunk = task
    target = get_target(target_name)
    counter = TokenCounter(encoding_name) if count_tokens else None
    result = ChunkResult()
    quick = target.quick_valid if target.schema == "openai-chat" and response_schema is None else None
    for number, raw in chunk:
        if quick is not None:
            row = quick_chat_line(number, raw, quick, counter, limit)
            if row is not None:
                result.rows.append(row)
                continue
        record, findings = parse_line(number, raw)
        if record is None and raw.strip():
            result.rows.append((number, None, None, None, None, None, None, None, False))  # a line with no record
        errors = [f for f in findings if f.code != "json.duplicate_key"]
        warnings = [f for f in findings if f.code == "json.duplicate_key"]
        if record is not None and isinstance(record, dict):
            if not certainly_valid(record, target):
                errors += schema_findings(record, target, number)
                if not errors:
                    semantic = semantic_findings(record, target, number)
                    errors += [finding for finding in semantic if finding.code not in target.warnings]
                    warnings += [finding for finding in semantic if finding.code in target.warnings]
            talk = record_conversation(record)
            if talk is not None:
                text_errors, text_warnings = text_findings(talk, number, response_schema is not None)
                errors += text_errors + response_findings(talk, response_schema, number)
                warnings += text_warnings
                total, prompt_tokens = counter.count(talk) if counter else (None, None)
                if total is not None and prompt_tokens is not None and total > limit:
                    errors.append(token_limit_finding(number, total, prompt_tokens, limit))
                row = (prompt_turns(talk), talk.answers, talk.system or None, total, prompt_tokens)
            else:
                row = (None, None, None, None, None)
            stats = figures(talk, counter) if talk is not None else ()
            result.rows.append((number, shape_of(record, target), record_key(raw), *row, not errors, *stats))
        elif record is not None:
            result.rows.append((number, None, record_key(raw), None, None, None, None, None, False))
        result.errors += [Finding(f.line, f.code, f.path, f.message, file) for f in errors]
        result.warnings += [Finding(f.line, f.code, f.path, f.message, file) for f in warnings]
    return result


def token_limit_finding(number: int, total: int, prompt_tokens: int, limit: int) -> Finding:
    """The one wording of a record over the token limit, for this engine and the columnar pass."""
    where = "inside the trained answer" if prompt_tokens < limit else "in the prompt, before any answer"
    code = "tokens.truncated_answer" if prompt_tokens < limit else "tokens.over_limit"
    return Finding(number, code, "(record)", f"{total} tokens > limit {limit}; truncation would cut {where}")


def quick_chat_line(number: int, raw: bytes, quick, counter: "TokenCounter | None", limit: int) -> tuple | None:
    """The common OpenAI chat line in one pass: its row when it certainly has no finding at all, else None.

    Same results as the general path (tests/test_validation_engine.py compares them): the quick
    predicate stands for the schema and semantic rules, the colon count for the duplicate-key test, and
    a line that shows any hint of special tokens, secrets or e-mail goes the general way.
    """
    if may_hold_nul(raw):
        return None
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if type(record) is not dict or not quick(record):
        return None
    messages = record["messages"]
    if raw.count(b'":') + raw.count(b'" :') != 1 + sum(map(len, messages)):
        return None
    texts = [(m["role"], m["content"]) for m in messages]
    joined = "\n".join(text for _, text in texts).lower()  # hints are lowercase
    if shows_hint(joined):
        return None
    answers = tuple(m["content"] for m in messages if m["role"] == "assistant" and m.get("weight", 1) != 0)
    if any(template_marker(answer) is not None for answer in answers):
        return None
    system = texts[0][1] if texts[0][0] == "system" else None
    turns = texts[1:] if system is not None else texts
    last = max(i for i, (role, _) in enumerate(turns) if role == "assistant")
    total, prompt_tokens = counter.count_texts(texts, answers) if counter else (None, None)
    if total is not None and total > limit:
        return None  # the general path words the finding
    said = sum(counter.length(text) for role, text in texts if role == "assistant") if counter else None
    stats = (len(messages), any(role == "user" for role, _ in texts), said, 0 if counter else None)
    key = record_key(raw)
    return (number, ("messages",), key, turns[:last], answers, system or None, total, prompt_tokens, True, *stats)
