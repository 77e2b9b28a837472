"""The common OpenAI chat line, checked for a whole file at once as polars columns.

Most lines of a real chat file have one shape: `{"messages": [{"role": ..., "content": "..."}, ...]}`.
Per-line Python costs about 50 µs for such a line (parse, predicate, keys, hint scan); polars does the
same work in Rust over all lines on every core. One regular expression proves a line is that shape
and obeys the rules a schema cannot say (valid JSON, no other key, no duplicate key, a known role,
string content, the system turn only first, the last turn the assistant's, no empty turn);
`json_decode` reads it; the hint scan, template-marker rule and token limit finish the proof. A line
that fails any of it is not an error here: it goes to the per-line engine (per_line.py), which finds
and words what is wrong. Only lines proven clean are settled here, so both routes give the same
result (tests/test_validation_columnar.py compares them on generated files).
"""

import mmap
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl

from pipeline.checks.finding import Finding
from pipeline.checks.jsonschemas import explainer
from pipeline.checks.targets.openai_chat import WHITESPACE
from pipeline.checks.validate.keys import MATERIAL, TURNS, from_material, hashed
from pipeline.checks.validate.lines import BOM
from pipeline.checks.validate.per_line import check_chunk, token_limit_finding
from pipeline.checks.validate.processes import process_pool
from pipeline.checks.validate.record_checks import HINTS, compiled
from pipeline.pieces import PieceCounter
from pipeline.quality import PLACEHOLDER
from pipeline.tokens import REPLY_PRIMING, TOKENS_PER_MESSAGE, load_encoding

_WS = r"[ \t]*"
# JSON string characters: no raw control character, no surrogate escape (orjson refuses a lone one), and
# no \u0000 (nul.py makes it an error).
_HEX = "[0-9a-fA-F]"
_NOT_NUL = f"(?:[1-9a-cA-CefEF]{_HEX}{{3}}|0[1-9a-fA-F]{_HEX}{{2}}|00[1-9a-fA-F]{_HEX}|000[1-9a-fA-F])"
_CHAR = r'(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u(?:' + _NOT_NUL + r"|[dD][0-7][0-9a-fA-F]{2}))"
_VISIBLE = r'[^"\\\x00-\x1f' + "".join(f"\\x{{{ord(char):x}}}" for char in WHITESPACE) + "]"
_STRING = f'"{_CHAR}*"'
_TEXT = f'"{_CHAR}*{_VISIBLE}{_CHAR}*"'  # at least one unescaped visible character: not empty


def _pair(key: str, value: str) -> str:
    return f'"{key}"{_WS}:{_WS}{value}'


def _message(roles: str, content: str, weighted: bool) -> str:
    role = f'"(?:{roles})"'
    shapes: list[tuple[str, ...]] = [
        (_pair("role", role), _pair("content", content)),
        (_pair("content", content), _pair("role", role)),
    ]
    if weighted:
        shapes.append((_pair("role", '"assistant"'), _pair("content", content), _pair("weight", "1")))
    objects = (r"\{" + _WS + f"{_WS},{_WS}".join(pairs) + _WS + r"\}" for pairs in shapes)
    return "(?:" + "|".join(objects) + ")"


_SEP = f"{_WS},{_WS}"
_MESSAGES = (
    f"(?:{_message('system', _STRING, False)}{_SEP})?"
    f"(?:{_message('user|assistant', _TEXT, True)}{_SEP})*"
    f"{_message('assistant', _TEXT, True)}"
)
# No whitespace around the object, so the record's key is the line itself, as on the per-line path.
CANONICAL_LINE = r"^\{" + _WS + _pair("messages", r"\[" + _WS + _MESSAGES + _WS + r"\]") + _WS + r"\}$"
# A hint in the raw line in any case (hints are lowercase), or an escape that could hide one (\u0040 is "@").
RAW_HINT = "(?i)" + "|".join([*(hint.replace("|", r"\|").replace("]", r"\]") for hint in HINTS), r"\\u", r"\\/"])
MESSAGES = pl.Struct({"messages": TURNS})
SEPARATOR = b"\x1f"  # a control character: invalid raw inside JSON text, so a valid line never holds it
SLICES = 8  # polars runs one expression over a column on one core; slices of the lines run on all
HEAD = 65_536  # bytes read to tell JSONL from a JSON array
ROLE, CONTENT = pl.element().struct.field("role"), pl.element().struct.field("content")


def check_chat_file(
    path: Path, job: tuple, workers: int, explain_in_parallel_from: int
) -> tuple[pl.DataFrame, list[Finding], list[Finding]] | None:
    """(hashed rows, errors, warnings) of an OpenAI chat file, or None when the per-line engine should
    take the whole file (not UTF-8, a JSON array, or too few lines of the common shape to gain)."""
    _, count_tokens, _, encoding_name, limit, file = job
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD)
        lines = read_lines(path)
    except OSError:
        return None  # the per-line engine reports it
    body = head.removeprefix(BOM)
    if lines is None or body.lstrip()[:1] == b"[" or (len(head) == HEAD and not body.strip()):
        return None
    errors = []
    if head.startswith(BOM):
        message = "the file starts with a byte-order mark; save it as UTF-8 without BOM"
        errors.append(Finding(1, "file.bom", "(file)", message, file))
    clean = clean_chat_rows(lines)
    if lines.height - clean.height > max(1_000, lines.height // 5):
        return None  # mostly another shape: the per-line engine, in parallel, is the faster route
    rest = lines.join(clean.select("number"), on="number", how="anti").sort("number")
    del lines
    pending = [(number, (line or "").rstrip("\r").encode()) for number, line in rest.iter_rows()]
    over = clean.clear()
    # The per-line engine (Python) explains the rest while polars counts tokens with the GIL released.
    with ThreadPoolExecutor(max_workers=1) as thread:
        explained = thread.submit(explain, job, pending, workers, explain_in_parallel_from)
        if count_tokens:
            counted = with_tokens(clean, encoding_name)
            clean = counted.filter(pl.col("tokens") <= limit)
            over = counted.filter(pl.col("tokens") > limit).sort("number")
        results = explained.result()
    # A clean row over the limit has that one finding, worded as the per-line engine words it; counting
    # it again there cost as much as the whole pass on a 20 MB line.
    parts = [hashed(material(clean, count_tokens))]
    if count_tokens and over.height:
        for number, total, prompt_tokens in over.select("number", "tokens", "prompt_tokens").iter_rows():
            errors.append(replace(token_limit_finding(number, total, prompt_tokens, limit), file=file))
        parts.append(hashed(material(over, count_tokens).with_columns(passed=pl.lit(False))))
    material_rows = [row for result in results for row in result.rows]
    rows = pl.concat([*parts, from_material(material_rows)])
    rows = rows.sort("number")
    errors += [finding for result in results for finding in result.errors]
    return rows, errors, [finding for result in results for finding in result.warnings]


def explain(job: tuple, pending: list[tuple[int, bytes]], workers: int, parallel_from: int) -> list:
    """The per-line engine's results for lines the columnar proof left, in worker processes when many."""
    if workers < 2 or len(pending) < parallel_from:
        return [check_chunk((job, pending))]
    # Workers pay off only when there is much to explain: each starts in about 0.5 s (the tokenizer and
    # the schemas), and jsonschema explains a line in about 1 ms.
    start = (job[3] if job[1] else None,)
    with process_pool(workers, initializer=warm, initargs=start) as pool:
        step = -(-len(pending) // (workers * 2))
        return list(pool.map(check_chunk, [(job, pending[i : i + step]) for i in range(0, len(pending), step)]))


def warm(encoding_name: str | None) -> None:
    """Build what a worker needs once, at start: the tokenizer and the compiled and explaining schemas."""
    if encoding_name is not None:
        load_encoding(encoding_name)
    compiled("openai-chat")
    explainer("openai-chat")


def read_lines(path: Path) -> pl.DataFrame | None:
    """(number, line) of a JSONL file, read by polars' parallel CSV reader with no quoting and a separator
    JSON text cannot hold raw. Like the per-line engine it drops a BOM and one CR before each LF; a blank
    line is null. None when the file is not UTF-8 or a line holds the separator."""
    if path.stat().st_size:
        with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            if data.find(SEPARATOR) != -1:  # memchr speed; JSON text never holds it raw
                return None
    try:
        lines = pl.read_csv(
            path,
            has_header=False,
            separator=SEPARATOR.decode(),
            quote_char=None,
            new_columns=["line"],
            schema={"line": pl.String},
            raise_if_empty=False,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.SchemaError, pl.exceptions.NoDataError):
        return None
    return lines.with_row_index("number", offset=1).with_columns(pl.col("number").cast(pl.Int64))


def clean_chat_rows(lines: pl.DataFrame) -> pl.DataFrame:
    """The lines proven free of any record-level finding (the token limit aside), with their messages."""
    step = max(1, -(-lines.height // SLICES))
    slices = [
        lines.slice(offset, step)
        .lazy()
        .filter(pl.col("line").str.contains(CANONICAL_LINE))
        .with_columns(
            messages=pl.col("line").str.json_decode(MESSAGES).struct.field("messages"),
            raw_hint=pl.col("line").str.contains(RAW_HINT),
        )
        for offset in range(0, max(lines.height, 1), step)
    ]
    decoded = pl.concat(pl.collect_all(slices))
    hinted = decoded.filter("raw_hint").filter(
        pl.col("messages").list.eval(CONTENT.str.contains_any(list(HINTS), ascii_case_insensitive=True)).list.any()
    )
    clean = decoded.join(hinted.select("number"), on="number", how="anti").drop("raw_hint")
    return clean.filter(~pl.col("number").is_in(placeholder_lines(clean)))


def placeholder_lines(rows: pl.DataFrame) -> list[int]:
    """Rows with an answer holding a template marker (quality.PLACEHOLDER, the rule record_checks uses)."""
    marked = rows.filter(
        pl.col("messages").list.eval(CONTENT.filter(ROLE == "assistant").str.contains(PLACEHOLDER)).list.any()
    )
    return marked["number"].to_list()


def with_tokens(clean: pl.DataFrame, encoding_name: str) -> pl.DataFrame:
    """The rows with `tokens` and `prompt_tokens` by OpenAI's chat accounting (counting.TokenCounter's):
    3 per message plus its role and content, 3 for priming; the prompt ends at the first assistant turn
    (every assistant turn of a clean row is trained on)."""
    if clean.height == 0:
        return clean.with_columns(
            tokens=pl.lit(None, pl.Int64), prompt_tokens=pl.lit(None, pl.Int64), answer_tokens=pl.lit(None, pl.Int64)
        )
    encoding = load_encoding(encoding_name)
    turns = clean.select(pl.col("messages").explode().struct.unnest())  # every row's turns, rows in order
    roles = {role: len(encoding.encode_ordinary(role)) for role in turns["role"].unique()}
    per_turn = turns.select(
        text=PieceCounter(encoding).counts(turns["content"]),
        overhead=pl.col("role").replace_strict(roles, return_dtype=pl.Int64) + TOKENS_PER_MESSAGE,
        answer=pl.col("role") == "assistant",
    )
    # Sums per row over the flat turns (a clean row has at least one turn): no group-by needed.
    sizes = clean["messages"].list.len().to_numpy().astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    text, answer = per_turn["text"].to_numpy(), per_turn["answer"].to_numpy()
    n = text + per_turn["overhead"].to_numpy()
    answers_so_far = np.cumsum(answer) - np.repeat(np.cumsum(answer)[starts] - answer[starts], sizes)
    tokens = np.add.reduceat(n, starts) + REPLY_PRIMING
    prompt_tokens = np.add.reduceat(np.where(answers_so_far == 0, n, 0), starts) + REPLY_PRIMING
    answer_tokens = np.add.reduceat(np.where(answer, text, 0), starts)  # the cookbook's assistant tokens
    return clean.with_columns(
        tokens=pl.Series(tokens, dtype=pl.Int64),
        prompt_tokens=pl.Series(prompt_tokens, dtype=pl.Int64),
        answer_tokens=pl.Series(answer_tokens, dtype=pl.Int64),
    )


def material(clean: pl.DataFrame, count_tokens: bool) -> pl.DataFrame:
    """The clean rows as key material (keys.MATERIAL), the same values the per-line engine would give."""
    messages = pl.col("messages")
    first = messages.list.first().struct.field
    has_system = (first("role") == "system").cast(pl.Int64)
    counted = ("tokens", "prompt_tokens", "answer_tokens")
    tokens = [pl.col(name) if count_tokens else pl.lit(None) for name in counted]
    return clean.select(
        "number",
        shape=pl.lit(["messages"]),
        record="line",
        prompt=messages.list.slice(has_system, messages.list.len() - 1 - has_system),
        answers=messages.list.eval(CONTENT.filter(ROLE == "assistant")),
        system=pl.when((has_system == 1) & (first("content") != "")).then(first("content")),
        tokens=tokens[0],
        prompt_tokens=tokens[1],
        passed=pl.lit(True),
        messages=messages.list.len(),
        has_user=messages.list.eval(ROLE == "user").list.any(),
        answer_tokens=tokens[2],
        tool_tokens=pl.lit(0 if count_tokens else None),  # the proven shape has no tools
    ).cast(MATERIAL)
