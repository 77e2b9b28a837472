"""The columnar pass settles only lines it proves clean: on any file it must give exactly the result of
the per-line engine, findings, keys, token counts and cross-record findings included."""

import json
import random
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.checks.validate import engine
from pipeline.checks.validate.columnar import clean_chat_rows, read_lines
from pipeline.checks.validate.engine import Options, validate_files

TEXTS = [
    "How long is the warranty on the HP-7?",
    "Seven years on the compressor, two on parts.",
    "Kühlmittel: R290 — «propane»",
    "Line one\nline two\ttab",
    'say "q": 1',
    "  ",
    "",
    "\u2003",
    "TODO",
    "n/a",
    "mail jo.smith@outlook.com",
    "write to support@brightwater.example",
    "<|endoftext|>",
    "[INST] hi",
    "<</SYS>>",
    "key sk-abcdefghijklmnopqrstuvwxyz123456",
    "emoji 🙂 here",
    "x" * 60,
    "a/b\\c",
    "two  spaces, then\n    an indented line",  # tokenizer's look-ahead case (pipeline/pieces.py UNSAFE)
    "don't STOP'S 1234567 x\u00a0\u00a0y",
    "Dear {{name}}, thank you",
    "[INSERT the warranty here]",
    "<answer>42</answer>",
    '["positive"]',
    "a NUL \u0000 inside",
]
ROLES = ["system", "user", "assistant", "tool"]


@st.composite
def chat_line(draw) -> str:
    messages = []
    for _ in range(draw(st.integers(0, 5))):
        message = {"role": draw(st.sampled_from(ROLES)), "content": draw(st.sampled_from(TEXTS))}
        if draw(st.integers(0, 9)) == 0:
            message["weight"] = draw(st.sampled_from([0, 1]))
        if draw(st.booleans()):
            message = dict(reversed(list(message.items())))
        messages.append(message)
    record: dict = {"messages": messages}
    if draw(st.integers(0, 14)) == 0:
        record["metadata"] = {"id": 1}
    text = json.dumps(
        record,
        ensure_ascii=draw(st.booleans()),
        separators=draw(st.sampled_from([(", ", ": "), (",", ":"), (" , ", " : ")])),
    )
    damage = draw(st.integers(0, 19))
    if damage == 0:
        return text[:-1]
    if damage == 1:
        return " " + text
    if damage == 2:
        return ""
    if damage == 3:
        return text.replace("/", "\\/")
    return text


def written(tmp_path, body: bytes) -> Path:
    path = tmp_path / "lines.jsonl"
    path.write_bytes(body)
    return path


def both(tmp_path, body: bytes, name: str = "f.jsonl", **options) -> tuple[dict, dict]:
    path = tmp_path / name
    path.write_bytes(body)
    columnar = validate_files([path], Options("openai-chat", "gpt-4o-mini", **options)).to_json()
    per_line = validate_files([path], Options("openai-chat", "gpt-4o-mini", columnar=False, **options)).to_json()
    return columnar, per_line


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(chat_line(), min_size=1, max_size=20),
    st.integers(0, 3),
    st.sampled_from([b"\n", b"\r\n"]),
    st.booleans(),
)
def test_columnar_and_per_line_agree(tmp_path_factory, lines, repeats, newline, bom):
    lines = lines + lines[:repeats]  # duplicates and conflicts across the two routes
    body = (b"\xef\xbb\xbf" if bom else b"") + newline.join(line.encode() for line in lines) + newline
    columnar, per_line = both(tmp_path_factory.mktemp("c"), body)
    assert columnar == per_line


def test_a_clean_file_is_settled_by_the_columnar_pass(tmp_path):
    rng = random.Random(7)
    lines = [
        json.dumps(
            {
                "messages": [
                    {"role": "system", "content": "You are Brightwater's assistant."},
                    {"role": "user", "content": f"Question {i} about the {rng.choice(['HP-7', 'hub'])}?"},
                    {"role": "assistant", "content": f"Answer {i}: it is covered — see «Terms».", "weight": 1},
                ]
            },
            ensure_ascii=i % 2 == 0,
        )
        for i in range(200)
    ]
    frame = read_lines(written(tmp_path, ("\n".join(lines) + "\n").encode()))
    assert clean_chat_rows(frame).height == 200  # none of them needs the per-line engine
    columnar, per_line = both(tmp_path, ("\n".join(lines) + "\n").encode())
    assert columnar == per_line and columnar["ok"]


def test_cross_route_duplicates_conflicts_and_overlap(tmp_path):
    """A record settled by the columnar pass and its copy that needs the per-line engine (a hint) match."""
    plain = {"messages": [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "A is fine."}]}
    hinted = {
        "messages": [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "Mail ana.silva@gmail.com"}]
    }
    body = "\n".join([json.dumps(plain), json.dumps(plain, separators=(",", ":")), json.dumps(hinted)]) + "\n"
    columnar, per_line = both(tmp_path, body.encode())
    assert columnar == per_line
    frame = read_lines(written(tmp_path, body.encode()))
    assert clean_chat_rows(frame)["number"].to_list() == [1, 2]  # line 3 shows an e-mail: per-line engine
    assert [(w["line"], w["code"]) for w in columnar["warnings"]] == [
        (3, "semantic.personal_data"),
        (3, "dataset.conflict"),  # lines 1 and 2: other bytes, same prompt and answer, so neither
    ]


def test_lines_explained_by_worker_processes_agree(tmp_path, monkeypatch):
    lines = [
        json.dumps({"messages": [{"role": "user", "content": f"Q{i}?"}, {"role": "assistant", "content": f"A{i}."}]})
        for i in range(300)
    ]
    lines[17] = "{oops"
    for number in range(0, 300, 3):  # a key the columnar proof does not know: the per-line engine decides
        lines[number] = lines[number].replace('"content"', '"name": "bot", "content"', 1)
    body = b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode()
    sequential, _ = both(tmp_path, body)
    monkeypatch.setattr(engine, "PARALLEL_EXPLAIN_LINES", 10)
    parallel, per_line = both(tmp_path, body, workers=2)
    assert parallel == sequential == per_line
    assert parallel["stats"]["tokens"]["records"] == 299


@pytest.mark.parametrize(
    "body",
    [b"", b"\n\n", b'{"messages": []}\r\r\n', b'{"a": 1}\x1f\n', b"\xff\xfe\n", b"[1, 2]"],
)
def test_odd_bodies_fall_back_to_the_per_line_engine(tmp_path, body):
    columnar, per_line = both(tmp_path, body)
    assert columnar == per_line


def test_reader_keeps_line_numbers(tmp_path):
    frame = read_lines(written(tmp_path, b'\xef\xbb\xbf{"a": 1}\r\n\n{"b": 2}'))
    assert frame.to_dicts() == [
        {"number": 1, "line": '{"a": 1}'},
        {"number": 2, "line": None},
        {"number": 3, "line": '{"b": 2}'},
    ]
    assert frame.schema["number"] == pl.Int64


PIECES = [
    b'{"messages": [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "A."}]}',
    b'{"messages":[{"content":"Hi","role":"user"},{"role":"assistant","content":"Yo","weight":1}]}',
    b'{"messages": [{"role": "system", "content": ""}, {"role": "user", "content": "Q"}]}',
    b"\n",
    b"\r",
    b"\r\n",
    b"\x1f",
    b"\xef\xbb\xbf",
    b"\xff",
    b"[",
    b" ",
    b"\\u0040",
    b'"',
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_columnar_and_per_line_agree_on_any_bytes(tmp_path_factory, pieces):
    columnar, per_line = both(tmp_path_factory.mktemp("b"), b"".join(pieces))
    assert columnar == per_line
