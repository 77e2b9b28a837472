"""`ftprep validate --target openai-chat` against OpenAI's own rules: unusual valid lines pass, each kind
of defect is caught with its code, and token counts include the tool definitions the way OpenAI's
cookbook counts them.

The fixtures under tests/data/openai/ were written by hand from the fine-tuning spec
(openai-openapi FineTuneChatRequestInput @f7f4b05, the SFT and vision guides); each line's sidecar
entry (valid.expect, defects.expect) names the case and what is expected of it.
"""

import json
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.checks.validate.conversation import record_conversation
from pipeline.checks.validate.counting import TokenCounter, figures
from pipeline.checks.validate.engine import Options, validate_files
from pipeline.checks.validate.result import ValidationResult
from pipeline.tokens import load_encoding
from pipeline.tool_tokens import definition_tokens

DATA = Path(__file__).parent / "data" / "openai"


def sidecar(name: str) -> list[tuple[int, str, str]]:
    """(line, first word, the rest) of each entry of a .expect file."""
    entries = []
    for text in (DATA / name).read_text(encoding="utf-8").splitlines():
        if text and not text.startswith("#"):
            number, word, *rest = text.split(" ", 2)
            entries.append((int(number), word.rstrip(":"), " ".join(rest)))
    return entries


@cache
def validated(name: str, columnar: bool = True) -> ValidationResult:
    return validate_files([DATA / name], Options("openai-chat", "gpt-4o-mini", columnar=columnar))


VALID = sidecar("valid.expect")
DEFECTS = sidecar("defects.expect")


def test_the_fixtures_hold_thirty_lines_each() -> None:
    assert len(VALID) == 30 and len((DATA / "valid.jsonl").read_text(encoding="utf-8").splitlines()) == 30
    assert len(DEFECTS) == 30 and len((DATA / "defects.jsonl").read_text(encoding="utf-8").splitlines()) == 30
    assert len({why for _, _, why in DEFECTS}) == 30  # thirty distinct kinds


@pytest.mark.parametrize("line", [pytest.param(number, id=kind) for number, kind, _ in VALID])
def test_an_unusual_valid_line_has_no_error(line: int) -> None:
    result = validated("valid.jsonl")
    assert [f for f in result.errors if f.line in (line, 0)] == []


def test_the_valid_file_has_no_error_and_no_warning() -> None:
    result = validated("valid.jsonl")
    assert result.errors == [] and result.warnings == []


@pytest.mark.parametrize("line, codes", [pytest.param(n, codes, id=why) for n, codes, why in DEFECTS])
def test_each_defect_kind_gives_its_error(line: int, codes: str) -> None:
    found = {f.code for f in validated("defects.jsonl").errors if f.line == line}
    assert found & set(codes.split("|")), f"line {line}: expected {codes}, got {sorted(found)}"


def test_both_routes_agree_on_the_fixtures() -> None:
    for name in ("valid.jsonl", "defects.jsonl"):
        assert validated(name).to_json() == validated(name, columnar=False).to_json()


# Tool definitions, counted by hand with the rule of OpenAI's cookbook ("How to count tokens with
# tiktoken", num_tokens_for_tools). Token counts of the rendered lines, o200k_base and cl100k_base alike:
WEATHER = {
    "name": "get_weather",
    "description": "Current weather for a city.",
    "parameters": {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "City name."},
            "unit": {"type": "string", "enum": ["c", "f"], "description": "Temperature unit."},
        },
        "required": ["city"],
    },
}
LOOKUP = {
    "name": "lookup",
    "description": "Find a part. Fast.",
    "parameters": {"properties": {"part": {"type": "string"}}},
}
LINES = {
    "get_weather:Current weather for a city": 8,  # the description's last "." dropped
    "city:string:City name": 5,
    "unit:string:Temperature unit": 5,
    "c": 1,
    "f": 1,
    "lookup:Find a part. Fast": 7,  # only one trailing "." is dropped
    "part:string:": 3,  # no description: empty
}
WEATHER_TOKENS = (
    7  # func_init (gpt-4o, gpt-4o-mini)
    + LINES["get_weather:Current weather for a city"]
    + 3  # prop_init: the function has properties
    + 3  # prop_key: city
    + LINES["city:string:City name"]
    + 3  # prop_key: unit
    - 3  # enum_init
    + 3  # enum_item: c
    + LINES["c"]
    + 3  # enum_item: f
    + LINES["f"]
    + LINES["unit:string:Temperature unit"]
)  # = 7 + 8 + 3 + 3 + 5 + 3 - 3 + 4 + 4 + 5 = 39
LOOKUP_TOKENS = 7 + LINES["lookup:Find a part. Fast"] + 3 + 3 + LINES["part:string:"]  # = 23
FUNC_END = 12  # once for the list


@pytest.mark.parametrize("encoding_name", ["o200k_base", "cl100k_base"])
def test_the_rendered_lines_have_the_token_counts_used_below(encoding_name: str) -> None:
    encoding = load_encoding(encoding_name)
    assert {line: len(encoding.encode_ordinary(line)) for line in LINES} == LINES


def test_tool_definitions_count_by_the_cookbook_rule() -> None:
    length = lambda text: len(load_encoding("o200k_base").encode_ordinary(text))  # noqa: E731
    assert WEATHER_TOKENS == 39 and LOOKUP_TOKENS == 23
    assert definition_tokens([WEATHER], length, "o200k_base") == FUNC_END + WEATHER_TOKENS
    assert definition_tokens([WEATHER, LOOKUP], length, "o200k_base") == FUNC_END + WEATHER_TOKENS + LOOKUP_TOKENS
    # gpt-3.5-turbo and gpt-4 (cl100k_base): func_init is 10, 3 more per function
    assert definition_tokens([WEATHER, LOOKUP], length, "cl100k_base") == FUNC_END + WEATHER_TOKENS + LOOKUP_TOKENS + 6
    assert definition_tokens([], length, "o200k_base") == 0


def write(tmp_path: Path, name: str, records: list[dict]) -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


PLAIN = {
    "messages": [{"role": "user", "content": "Weather in Oslo?"}, {"role": "assistant", "content": "4 C, cloudy."}]
}


@pytest.mark.parametrize(
    "extra",
    [
        {"tools": [{"type": "function", "function": WEATHER}, {"type": "function", "function": LOOKUP}]},
        {"functions": [WEATHER, LOOKUP]},
    ],
)
def test_a_records_tokens_and_cost_include_its_tool_definitions(tmp_path: Path, extra: dict) -> None:
    without = validate_files([write(tmp_path, "plain.jsonl", [PLAIN] * 12)], Options("openai-chat", "gpt-4o-mini"))
    tooled = validate_files(
        [write(tmp_path, "tools.jsonl", [{**PLAIN, **extra}] * 12)], Options("openai-chat", "gpt-4o-mini")
    )
    per_record = FUNC_END + WEATHER_TOKENS + LOOKUP_TOKENS
    assert tooled.stats["tokens"]["total"] - without.stats["tokens"]["total"] == 12 * per_record
    assert tooled.stats["tokens"]["tool_definitions"] == {"records": 12, "tokens": 12 * per_record}
    assert tooled.stats["tokens"]["estimate"] and not without.stats["tokens"]["estimate"]
    assert tooled.stats["cost"]["billed_tokens"] == tooled.stats["cost"]["epochs"] * tooled.stats["tokens"]["total"]
    assert "num_tokens_for_tools" in tooled.summary() and "an estimate" in tooled.summary()


def test_a_call_only_answer_counts_its_name_arguments_and_message(tmp_path: Path) -> None:
    encoding = load_encoding("o200k_base")
    arguments = json.dumps({"city": "Oslo"})
    call = {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": arguments}}
    record = {"messages": [PLAIN["messages"][0], {"role": "assistant", "tool_calls": [call]}]}
    result = validate_files([write(tmp_path, "call.jsonl", [record] * 10)], Options("openai-chat", "gpt-4o-mini"))
    said = len(encoding.encode_ordinary("get_weather")) + len(encoding.encode_ordinary(arguments))
    user = 3 + len(encoding.encode_ordinary("user")) + len(encoding.encode_ordinary("Weather in Oslo?"))
    assistant = 3 + len(encoding.encode_ordinary("assistant")) + said
    assert result.stats["tokens"]["max"] == 3 + user + assistant
    assert result.stats["tokens"]["assistant"]["max"] == said


def test_the_cookbook_statistics(tmp_path: Path) -> None:
    system = {"role": "system", "content": "Be brief."}
    records = [
        {"messages": [system, *PLAIN["messages"]]},
        {
            "messages": [
                system,
                *PLAIN["messages"],
                {"role": "user", "content": "And Rome?"},
                {"role": "assistant", "content": "21 C."},
            ]
        },
        {"messages": [{"role": "assistant", "content": "Hello."}]},  # no system, no user
        PLAIN,  # no system
        {"messages": [{"role": "user", "content": "Long?"}, {"role": "assistant", "content": " word" * 17_000}]},
    ]
    for columnar in (True, False):
        result = validate_files(
            [write(tmp_path, "stats.jsonl", records)], Options("openai-chat", "gpt-3.5-turbo", columnar=columnar)
        )
        examples, tokens = result.stats["examples"], result.stats["tokens"]
        assert (examples["records"], examples["missing_system"], examples["missing_user"]) == (5, 3, 1)
        assert (examples["messages"]["min"], examples["messages"]["max"], examples["messages"]["mean"]) == (1, 5, 2.6)
        assert tokens["over_limit"] == 1 and tokens["limit"] == 16_385
        assert tokens["assistant"]["max"] == 17_000 and tokens["assistant"]["min"] == 2  # " word" x 17,000; "Hello."
        assert {f.code for f in result.errors} >= {"tokens.truncated_answer"}
        text = result.summary()
        assert "3 without a system message, 1 without a user message" in text and "1 over it (truncated)" in text


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=12,
)
SPEC = st.fixed_dictionaries(
    {},
    optional={"type": JSON, "description": JSON, "enum": JSON | st.lists(JSON, max_size=3)},
)
FUNCTION = st.fixed_dictionaries(
    {},
    optional={
        "name": JSON,
        "description": JSON,
        "parameters": JSON | st.fixed_dictionaries({"properties": st.dictionaries(st.text(max_size=6), SPEC | JSON)}),
    },
)


@settings(max_examples=150, deadline=None)
@given(
    tools=st.lists(st.fixed_dictionaries({"type": JSON, "function": FUNCTION | JSON}) | JSON, max_size=3),
    functions=st.lists(FUNCTION | JSON, max_size=2) | JSON,
    message=st.dictionaries(st.sampled_from(["role", "content", "name", "tool_calls", "function_call"]), JSON),
)
def test_counting_never_raises_on_any_tools_shape(tools: list, functions: object, message: dict) -> None:
    record = {"messages": [PLAIN["messages"][0], message, PLAIN["messages"][1]], "tools": tools, "functions": functions}
    talk = record_conversation(record)
    assert talk is not None
    counter = TokenCounter("o200k_base")
    total, prompt = counter.count(talk)
    assert total >= prompt >= 0
    messages, _, said, tool_tokens = figures(talk, counter)
    assert messages == 3 and said is not None and said >= 0
    assert (tool_tokens >= FUNC_END) == bool(talk.definitions) and (tool_tokens == 0) == (not talk.definitions)


def test_openai_dpo_counts_the_tool_definitions_of_its_input() -> None:
    tools = [{"type": "function", "function": WEATHER}]
    record = {
        "input": {"messages": PLAIN["messages"][:1], "tools": tools},
        "preferred_output": [{"role": "assistant", "content": "4 C."}],
        "non_preferred_output": [{"role": "assistant", "content": "No idea."}],
    }
    counter = TokenCounter("o200k_base")
    with_tools = counter.count(record_conversation(record))
    without = counter.count(record_conversation({**record, "input": {"messages": PLAIN["messages"][:1]}}))
    assert with_tools[0] - without[0] == FUNC_END + WEATHER_TOKENS


def test_a_refusal_part_is_the_answer_it_is_trained_on() -> None:
    refusal = "I can't share credentials."
    record = {
        "messages": [PLAIN["messages"][0], {"role": "assistant", "content": [{"type": "refusal", "refusal": refusal}]}]
    }
    talk = record_conversation(record)
    assert talk is not None and talk.answers == (refusal,)
    counter = TokenCounter("o200k_base")
    assert figures(talk, counter)[2] == len(load_encoding("o200k_base").encode_ordinary(refusal))
