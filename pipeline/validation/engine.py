"""Validation of one or two files (train, validation) against a target, over chunks in parallel processes.

Each chunk of lines is parsed and checked where it is, and only compact results travel back:
findings, token counts and hashes. Checks that span records (duplicates, conflicts, mixed formats,
train/validation overlap, system-prompt consistency) then run on those hashes in the parent.
"""

import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from pipeline.config import TokensConfig
from pipeline.errors import InputError
from pipeline.formats import Target, get_target
from pipeline.tokens import REPLY_PRIMING, TOKENS_PER_MESSAGE, load_encoding, resolve
from pipeline.validation.conversation import Conversation, conversation
from pipeline.validation.costs import estimate
from pipeline.validation.dataset_checks import cross_record_findings, token_stats
from pipeline.validation.lines import parse_line, split_lines
from pipeline.validation.record_checks import (
    HINTS,
    PLACEHOLDER,
    certainly_valid,
    response_findings,
    schema_findings,
    semantic_findings,
    text_findings,
)
from pipeline.validation.result import Finding, ValidationResult

PARALLEL_FROM_LINES = 20_000  # below this a process pool costs more than it saves
DEFAULT_LIMIT = 65_536


@dataclass(frozen=True)
class Options:
    target: str
    model: str | None = None
    tokens: bool = True
    response_schema: dict | None = None
    workers: int | None = None


@dataclass
class ChunkResult:
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    rows: list[tuple] = field(
        default_factory=list
    )  # (line, shape, record hash, prompt hash, answer hash, system hash, tokens, prompt tokens)


def validate_files(paths: list[str | Path], options: Options) -> ValidationResult:
    target = get_target(options.target)
    encoding_name, limit, estimated = token_settings(target, options.model)
    result = ValidationResult(target=target.name, files=[str(path) for path in paths])
    per_file = []
    for path in paths:
        rows, errors, warnings = check_file(Path(path), target, options, encoding_name, limit)
        result.errors += errors
        result.warnings += warnings
        result.records += len(rows)
        per_file.append((str(path), rows))
    errors, warnings = cross_record_findings(per_file, target)
    result.errors += errors
    result.warnings += warnings
    order = {name: index for index, name in enumerate(result.files)}
    result.errors.sort(key=lambda f: (order.get(f.file, 0), f.line))  # stable: a line's findings keep their order
    result.warnings.sort(key=lambda f: (order.get(f.file, 0), f.line))
    if options.tokens and per_file:
        counts = [row[6] for row in per_file[0][1] if row[6] is not None]
        result.stats["tokens"] = {
            **token_stats(counts),
            "records": len(counts),
            "encoding": encoding_name,
            "limit": limit,
            "estimate": estimated,
        }
        result.stats["cost"] = estimate(counts, limit, options.model or "gpt-4o-mini") if not estimated else None
    return result


def token_settings(target: Target, model: str | None) -> tuple[str, int, bool]:
    """(encoding, per-example limit, whether counts are only an estimate of the provider's tokenizer)."""
    if model:
        name, limit = resolve(model, TokensConfig())
        return name, limit, not target.name.startswith("openai")
    if target.name.startswith("openai"):
        name, limit = resolve("gpt-4o-mini", TokensConfig())
        return name, limit, False
    return "o200k_base", DEFAULT_LIMIT, True


def check_file(path: Path, target: Target, options: Options, encoding: str, limit: int) -> tuple[list, list, list]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or error}); check the path") from None
    errors = []
    if target.max_file_bytes and len(data) > target.max_file_bytes:
        message = f"{len(data)} bytes; {target.name} accepts at most {target.max_file_bytes}"
        errors.append(Finding(0, "file.too_large", "(file)", message, str(path)))
    job = (target.name, options.tokens, options.response_schema, encoding, limit, str(path))
    ranges = byte_ranges(data, options.workers)
    if ranges is not None:
        # Large JSONL: workers read their own byte range, so no line travels between processes.
        first = split_lines(data[: min(len(data), 8)])[1]  # a BOM, reported once
        errors += [Finding(f.line, f.code, f.path, f.message, str(path)) for f in first if f.code == "file.bom"]
        del data
        with ProcessPoolExecutor(max_workers=workers(options.workers)) as pool:
            results = list(pool.map(check_range, [(job, str(path), *span) for span in ranges]))
    else:
        lines, file_findings = split_lines(data)
        errors += [Finding(f.line, f.code, f.path, f.message, str(path)) for f in file_findings]
        del data
        results = [check_chunk((job, lines))]
    rows, warnings = [], []
    for chunk_result in results:
        errors += chunk_result.errors
        warnings += chunk_result.warnings
        rows += chunk_result.rows
    return rows, errors, warnings


def workers(requested: int | None) -> int:
    return requested or max(1, min(os.cpu_count() or 1, 8))


def byte_ranges(data: bytes, requested: int | None) -> list[tuple[int, int, int]] | None:
    """(start, end, first line number) of about 4 chunks per worker, cut at line ends; None for small
    files and JSON arrays, which are checked in this process."""
    if data.count(b"\n") < PARALLEL_FROM_LINES or data.lstrip()[:1] == b"[":
        return None
    offset = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    count = workers(requested) * 4
    step = max(1, (len(data) - offset) // count)
    ranges, start, line = [], offset, 1
    while start < len(data):
        cut = data.find(b"\n", min(len(data), start + step))
        end = len(data) if cut == -1 else cut + 1
        ranges.append((start, end, line))
        line += data.count(b"\n", start, end)
        start = end
    return ranges


def check_range(task: tuple) -> "ChunkResult":
    job, path, start, end, first_line = task
    with open(path, "rb") as handle:
        handle.seek(start)
        data = handle.read(end - start)
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return check_chunk((job, [(first_line + index, line.rstrip(b"\r")) for index, line in enumerate(lines)]))


def digest(value: str | bytes) -> bytes:
    """A hash stable across processes (Python's own hash() is salted per process); records hash their bytes."""
    return hashlib.blake2b(value.encode() if isinstance(value, str) else value, digest_size=12).digest()


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
                    errors += semantic_findings(record, target, number)
            talk = conversation(record)
            if talk is not None:
                text_errors, text_warnings = text_findings(talk, number)
                errors += text_errors + response_findings(talk, response_schema, number)
                warnings += text_warnings
                total, prompt_tokens = counter.count(talk) if counter else (None, None)
                if total is not None and total > limit:
                    where = "inside the trained answer" if prompt_tokens < limit else "in the prompt, before any answer"
                    code = "tokens.truncated_answer" if prompt_tokens < limit else "tokens.over_limit"
                    errors.append(
                        Finding(
                            number, code, "(record)", f"{total} tokens > limit {limit}; truncation would cut {where}"
                        )
                    )
                row = (
                    digest(talk.prompt),
                    digest("\x00".join(talk.answers)),
                    digest(talk.system) if talk.system else None,
                    total,
                    prompt_tokens,
                )
            else:
                row = (None, None, None, None, None)
            result.rows.append((number, tuple(sorted(record)), digest(raw.strip()), *row, not errors))
        elif record is not None:
            result.rows.append((number, None, digest(raw.strip()), None, None, None, None, None, False))
        result.errors += [Finding(f.line, f.code, f.path, f.message, file) for f in errors]
        result.warnings += [Finding(f.line, f.code, f.path, f.message, file) for f in warnings]
    return result


CHAT_ROLES = frozenset(("system", "user", "assistant"))


def quick_chat_line(number: int, raw: bytes, quick, counter: "TokenCounter | None", limit: int) -> tuple | None:
    """The common OpenAI chat line in one pass: its row when it certainly has no finding at all, else None.

    Same results as the general path (tests/test_validation_engine.py compares them): the quick
    predicate stands for the schema and semantic rules, the colon count for the duplicate-key test, and
    a line that shows any hint of special tokens, secrets or e-mail goes the general way.
    """
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
    joined = "\n".join(text for _, text in texts)
    if any(map(joined.__contains__, HINTS)):  # C-level scans, no Python frame per hint
        return None
    answers = tuple(m["content"] for m in messages if m["role"] == "assistant" and m.get("weight", 1) != 0)
    if any(len(answer) < 40 and PLACEHOLDER.match(answer) for answer in answers):
        return None
    system = texts[0][1] if texts[0][0] == "system" else None
    turns = texts[1:] if system is not None else texts
    last = max(i for i, (role, _) in enumerate(turns) if role == "assistant")
    prompt = "\n".join(f"{role}: {text}" for role, text in turns[:last])
    total, prompt_tokens = counter.count_texts(texts, answers) if counter else (None, None)
    if total is not None and total > limit:
        return None  # the general path words the finding
    shape = ("messages",)
    row = (digest(prompt), digest("\x00".join(answers)), digest(system) if system else None, total, prompt_tokens)
    return (number, shape, digest(raw.strip()), *row, True)


class TokenCounter:
    """OpenAI's chat accounting with a memo: system prompts and stock phrases repeat across a file."""

    def __init__(self, encoding_name: str) -> None:
        self.encoding = load_encoding(encoding_name)
        self.memo: dict[str, int] = {}

    def length(self, text: str) -> int:
        known = self.memo.get(text)
        if known is None:
            known = len(self.encoding.encode_ordinary(text))
            if len(self.memo) < 200_000:
                self.memo[text] = known
        return known

    def count(self, talk: Conversation) -> tuple[int, int]:
        """(all tokens, tokens before the first trained answer)."""
        return self.count_texts(talk.texts, talk.answers)

    def count_texts(self, texts: list[tuple[str, str]], trained: tuple[str, ...]) -> tuple[int, int]:
        total, prompt = REPLY_PRIMING, None
        answers = set(trained)
        for role, text in texts:
            if prompt is None and role == "assistant" and text in answers:
                prompt = total
            total += TOKENS_PER_MESSAGE + self.length(role) + self.length(text)
        return total, prompt if prompt is not None else total
