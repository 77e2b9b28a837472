"""`ftprep validate`'s engine: file-level, record-level and cross-record findings, tokens, cost, JSON output."""

import json

import jsonschema
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.checks.jsonschemas import load_schema
from pipeline.checks.validate.conversation import record_conversation
from pipeline.checks.validate.costs import default_epochs, estimate
from pipeline.checks.validate.engine import Options, validate_files

USER = {"role": "user", "content": "How long is the warranty on the HP-7?"}
ASSISTANT = {"role": "assistant", "content": "Seven years on the compressor, two on parts."}
GOOD = {"messages": [USER, ASSISTANT]}


def line(record: object) -> str:
    return json.dumps(record)


def distinct(count: int) -> list[str]:
    return [
        line(
            {
                "messages": [
                    {"role": "user", "content": f"Question {i}?"},
                    {"role": "assistant", "content": f"Answer number {i}."},
                ]
            }
        )
        for i in range(count)
    ]


def run(tmp_path, lines: list[str] | bytes, name: str = "train.jsonl", **options):
    path = tmp_path / name
    path.write_bytes(lines if isinstance(lines, bytes) else ("\n".join(lines) + "\n").encode())
    return validate_files([path], Options(options.pop("target", "openai-chat"), **options))


def codes(result) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in result.errors]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xef\xbb\xbf" + line(GOOD).encode() + b"\n", (1, "file.bom")),
        (json.dumps([GOOD] * 2).encode(), (0, "file.json_array")),
        (b'{"messages": [], "x": NaN}\n', (1, "json.nan_or_infinity")),
        (b'{"messages": [1,}\n', (1, "json.invalid")),
        (b"\n" + line(GOOD).encode() + b"\n", (1, "file.blank_line")),
        (b'{"messages": [{"role": "user", "content": "K\xfchl?"}]}\n', (1, "file.encoding")),
        (b"[1, 2]\n", (0, "file.json_array")),
        (b'"just a string"\n', (1, "json.not_an_object")),
    ],
)
def test_file_and_json_findings(tmp_path, content, expected):
    assert expected in codes(run(tmp_path, content))


def test_duplicate_keys_are_reported_with_the_key(tmp_path):
    result = run(tmp_path, ['{"messages": [{"role": "user", "role": "assistant", "content": "x"}]}'])
    assert [(f.code, f.path) for f in result.warnings] == [("json.duplicate_key", "role")]


def test_every_line_is_reported_not_just_the_first(tmp_path):
    lines = [
        *distinct(10),
        "{oops",
        line({"messages": [USER]}),
        line({"messages": [USER, {"role": "assistant", "content": 4}]}),
    ]
    assert codes(run(tmp_path, lines)) == [(11, "json.invalid"), (12, "semantic.no_assistant"), (13, "schema.type")]


def test_tool_calls_are_checked_against_declared_tools(tmp_path):
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_tariff",
                "parameters": {"type": "object", "properties": {"plan": {"type": "string"}}, "required": ["plan"]},
            },
        }
    ]
    call = {"id": "c1", "type": "function", "function": {"name": "get_tariff", "arguments": '{"plan": 3}'}}
    unknown = {"id": "c2", "type": "function", "function": {"name": "nope", "arguments": "{"}}
    record = {
        "tools": tools,
        "messages": [
            USER,
            {"role": "assistant", "tool_calls": [call, unknown]},
            {"role": "tool", "tool_call_id": "c9", "content": "x"},
            ASSISTANT,
        ],
    }
    found = {f.code for f in run(tmp_path, [line(record)]).errors}
    assert {
        "semantic.tool_arguments_schema",
        "semantic.unknown_tool",
        "semantic.tool_arguments_json",
        "semantic.tool_result_orphan",
        "semantic.tool_call_unanswered",
    } <= found


def test_cross_record_findings(tmp_path):
    conflict = line(
        {"messages": [{"role": "user", "content": "Question 1?"}, {"role": "assistant", "content": "Another answer."}]}
    )
    other_system = line({"messages": [{"role": "system", "content": "Be rude."}, USER, ASSISTANT]})
    lines = (
        distinct(9)
        + [distinct(1)[0], conflict]
        + [
            line({"messages": [{"role": "system", "content": "Be kind."}, *json.loads(x)["messages"]]})
            for x in distinct(12)[2:]
        ]
        + [other_system]
    )
    result = run(tmp_path, lines)
    warnings = {(f.line, f.code) for f in result.warnings}
    assert (10, "dataset.duplicate") in warnings and (11, "dataset.conflict") in warnings


def test_train_validation_overlap_is_an_error(tmp_path):
    train, validation = tmp_path / "train.jsonl", tmp_path / "validation.jsonl"
    train.write_text("\n".join(distinct(12)) + "\n")
    validation.write_text("\n".join(distinct(12)[3:5]) + "\n")
    result = validate_files([train, validation], Options("openai-chat"))
    overlap = [f for f in result.errors if f.code == "dataset.train_validation_overlap"]
    assert [(f.file, f.line, f.message) for f in overlap] == [
        (str(validation), 1, f"also in {train} at line 4"),
        (str(validation), 2, f"also in {train} at line 5"),
    ]


def test_mixed_forms_of_one_target(tmp_path):
    lines = (
        [line({"messages": [USER, ASSISTANT]})] * 0
        + [line({"prompt": f"P{i}?", "completion": f"C{i}."}) for i in range(5)]
        + [line({"messages": [USER, {**ASSISTANT, "content": f"A{i}"}]}) for i in range(2)]
    )
    result = (
        run(tmp_path, lines, target="trl-sft")
        if "trl-sft" in __import__("pipeline.checks.targets", fromlist=["TARGETS"]).TARGETS
        else None
    )
    if result is None:
        pytest.skip("trl-sft target not registered yet")
    assert {f.code for f in result.errors} >= {"file.mixed_format"}


def test_tokens_limit_and_truncation(tmp_path):
    long_answer = {"messages": [USER, {"role": "assistant", "content": "word " * 300}]}
    long_prompt = {"messages": [{"role": "user", "content": "word " * 300}, ASSISTANT]}
    result = run(tmp_path, [*distinct(10), line(long_answer), line(long_prompt)], model="gpt-4o-mini")
    assert result.stats["tokens"]["encoding"] == "o200k_base"
    result = validate_files([tmp_path / "train.jsonl"], Options("openai-chat", "gpt-4o-mini"))
    small = validate_files([tmp_path / "train.jsonl"], Options("openai-chat", "gpt-4o-mini", response_schema=None))
    assert small.ok


def test_truncation_codes_with_a_small_limit(tmp_path, monkeypatch):
    from pipeline.checks.validate import engine

    monkeypatch.setattr(engine, "token_settings", lambda target, model: ("o200k_base", 100, False))
    long_answer = {"messages": [USER, {"role": "assistant", "content": "word " * 300}]}
    long_prompt = {"messages": [{"role": "user", "content": "word " * 300}, ASSISTANT]}
    assert codes(run(tmp_path, [*distinct(10), line(long_answer), line(long_prompt)]))[-2:] == [
        (11, "tokens.truncated_answer"),
        (12, "tokens.over_limit"),
    ]


def test_cookbook_epochs_and_cost():
    assert [default_epochs(n) for n in (0, 10, 50, 1000, 20_000)] == [0, 10, 3, 3, 1]
    cost = estimate([100] * 100, 65_536, "gpt-4o-mini")
    assert (cost["epochs"], cost["billed_tokens"], cost["usd"]) == (3, 30_000, 0.09)
    assert estimate([10], 65_536, "my-local-model")["usd"] is None


def test_response_schema(tmp_path):
    schema = {"type": "object", "required": ["intent"], "properties": {"intent": {"enum": ["billing", "fault"]}}}
    answers = ['{"intent": "billing"}', '{"intent": "weather"}', "not json"]
    fillers = [
        line(
            {
                "messages": [
                    {"role": "user", "content": f"Q{i}?"},
                    {"role": "assistant", "content": '{"intent": "fault"}'},
                ]
            }
        )
        for i in range(9)
    ]
    lines = fillers + [
        line({"messages": [{"role": "user", "content": f"R{i}?"}, {"role": "assistant", "content": a}]})
        for i, a in enumerate(answers)
    ]
    assert codes(run(tmp_path, lines, response_schema=schema)) == [(11, "response.schema"), (12, "response.not_json")]


def test_placeholders_secrets_and_special_tokens(tmp_path):
    records = [
        {"messages": [USER, {"role": "assistant", "content": "TODO"}]},
        {"messages": [USER, {"role": "assistant", "content": "Use key sk-live-9fQ2mX7vB4rT8nW1zK5pD3sL6gJ0cY2h."}]},
        {"messages": [{"role": "user", "content": "Mail maria.keller@gmx.de <|endoftext|>"}, ASSISTANT]},
    ]
    result = run(tmp_path, distinct(10) + [line(r) for r in records])
    assert result.ok  # a template marker warns: a validator cannot tell a placeholder from a terse answer
    assert {(f.line, f.code) for f in result.warnings} >= {
        (11, "semantic.placeholder_answer"),
        (12, "semantic.secret"),
        (13, "semantic.personal_data"),
        (13, "semantic.special_token"),
    }


def test_json_output_matches_its_schema(tmp_path):
    result = run(tmp_path, [*distinct(10), "{oops"], model="gpt-4o-mini")
    jsonschema.validate(result.to_json(), load_schema("validation-report"))


def test_parallel_and_sequential_agree(tmp_path, monkeypatch):
    from pipeline.checks.validate import engine

    lines = [*distinct(300), "{oops", "", *distinct(5)]
    sequential = run(tmp_path, b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode())
    monkeypatch.setattr(engine, "PARALLEL_FROM_LINES", 10)
    parallel = run(tmp_path, b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode(), workers=2)
    assert parallel.to_json() == sequential.to_json()
    assert {(f.line, f.code) for f in parallel.errors} >= {
        (1, "file.bom"),
        (301, "json.invalid"),
        (302, "file.blank_line"),
    }


@pytest.mark.parametrize(
    ("record", "answers", "rejected"),
    [
        (GOOD, ("Seven years on the compressor, two on parts.",), None),
        ({"prompt": "Q?", "chosen": "A.", "rejected": "B."}, ("A.",), "B."),
        (
            {
                "input": {"messages": [USER]},
                "preferred_output": [ASSISTANT],
                "non_preferred_output": [{"role": "assistant", "content": "No."}],
            },
            (ASSISTANT["content"],),
            "No.",
        ),
        ({"conversations": [{"from": "human", "value": "Q?"}, {"from": "gpt", "value": "A."}]}, ("A.",), None),
        ({"instruction": "Q?", "input": "", "output": "A."}, ("A.",), None),
        (
            {"contents": [{"role": "user", "parts": [{"text": "Q?"}]}, {"role": "model", "parts": [{"text": "A."}]}]},
            ("A.",),
            None,
        ),
        ({"prompt": "Q?", "completion": "A.", "label": True}, ("A.",), None),
    ],
)
def test_conversation_reads_every_shape(record, answers, rejected):
    talk = record_conversation(record)
    assert talk.answers == answers and talk.rejected == rejected


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_never_raises_on_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("b") / "f.jsonl"
    path.write_bytes(data)
    result = validate_files([path], Options("openai-chat"))
    assert result.ok == (not result.errors)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(list(range(40))), max_size=6), st.sampled_from(list(b'{}[]":,0aN\\ \n')))
def test_never_raises_on_mutated_lines(tmp_path_factory, positions, byte):
    raw = bytearray(orjson.dumps(GOOD))
    for position in positions:
        raw[position % len(raw)] = byte
    path = tmp_path_factory.mktemp("m") / "f.jsonl"
    path.write_bytes(bytes(raw) + b"\n")
    validate_files([path], Options("openai-chat"))


texts = st.sampled_from(
    ["Hi?", "Seven years.", "  ", "", "TODO", "mail a@b.co", "<|endoftext|>", "x" * 50, 'say "q": 1']
)
chat_records = st.fixed_dictionaries(
    {
        "messages": st.lists(
            st.fixed_dictionaries({"role": st.sampled_from(["system", "user", "assistant", "tool"]), "content": texts}),
            max_size=5,
        )
    }
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(chat_records, min_size=1, max_size=12))
def test_quick_lines_agree_with_the_general_path(tmp_path_factory, records):
    from pipeline.checks.validate import per_line

    path = tmp_path_factory.mktemp("q") / "f.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    quick = validate_files([path], Options("openai-chat", "gpt-4o-mini", columnar=False)).to_json()
    original = per_line.quick_chat_line
    per_line.quick_chat_line = lambda *args: None
    try:
        general = validate_files([path], Options("openai-chat", "gpt-4o-mini", columnar=False)).to_json()
    finally:
        per_line.quick_chat_line = original
    assert quick == general
