"""LLaMA-Factory conformance: files in the shapes of its demo data pass, and what its loader breaks on fails.

The fixtures are written here in the shapes of hiyouga/LLaMA-Factory's data/ folder (alpaca, sharegpt
with tool calls, sharegpt preference, KTO with role/content tags, a dataset_info.json), as JSON arrays
the way LLaMA-Factory ships them.
"""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.cli import main
from pipeline.checks.validate.dataset_info import entry_target, read_mapping
from pipeline.checks.validate.engine import Options, validate_files
from pipeline.errors import InputError

WEATHER = {
    "name": "weather",
    "description": "Current weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


def call(city: str) -> str:
    return json.dumps({"name": "weather", "arguments": {"city": city}})


def turn(role: str, value: str) -> dict:
    return {"from": role, "value": value}


ALPACA = [
    {"instruction": "Name the capital of France.", "input": "", "output": "Paris."},
    {"instruction": "Translate to German.", "input": "thank you", "output": "Danke."},
]
TOOL_CHAT = [
    {
        "conversations": [
            turn("human", "Weather in Oslo?"),
            turn("function_call", call("Oslo")),
            turn("observation", '{"celsius": 4}'),
            turn("gpt", "It is 4 degrees in Oslo."),
        ],
        "tools": json.dumps([WEATHER]),
    },
    {"conversations": [turn("human", "Hi!"), turn("gpt", "Hello.")], "tools": "[]"},
]
DPO = [
    {
        "conversations": [turn("human", "Capital of France?")],
        "chosen": turn("gpt", "Paris."),
        "rejected": turn("gpt", "Lyon."),
    }
]
KTO = [
    {
        "messages": [{"role": "user", "content": "Capital of France?"}, {"role": "assistant", "content": "Paris."}],
        "label": True,
    },
    {
        "messages": [{"role": "user", "content": "Capital of Spain?"}, {"role": "assistant", "content": "Lyon."}],
        "label": False,
    },
]
DEMO = {
    "alpaca": ALPACA,
    "llama-factory": ALPACA,
    "sharegpt": TOOL_CHAT,
    "llama-factory-dpo": DPO,
    "llama-factory-kto": KTO,
}


def write_array(tmp_path: Path, records: list, name: str = "data.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(records, indent=2), encoding="utf-8")
    return path


def codes(path: Path, target: str, **options: object) -> list[str]:
    result = validate_files([path], Options(target, tokens=False, **options))  # type: ignore[arg-type]
    return [finding.code for finding in result.errors]


@pytest.mark.parametrize("target", sorted(DEMO))
def test_a_json_array_in_llama_factory_shapes_passes(tmp_path, target):
    assert codes(write_array(tmp_path, DEMO[target]), target) == []


CHAT = [{"messages": [{"role": "user", "content": "Q?"}, {"role": "assistant", "content": "A."}]}] * 40


@pytest.mark.parametrize("target", ["openai-chat", "mistral", "together-conversational", "bedrock-claude"])
def test_an_api_provider_still_needs_jsonl(tmp_path, target):
    assert "file.json_array" in codes(write_array(tmp_path, CHAT), target)


def test_vertex_still_needs_jsonl(tmp_path):
    contents = [
        {"contents": [{"role": "user", "parts": [{"text": "Q?"}]}, {"role": "model", "parts": [{"text": "A."}]}]}
    ]
    assert "file.json_array" in codes(write_array(tmp_path, contents), "vertex-gemini")


def sharegpt(*turns: dict, tools: str | None = None) -> dict:
    return {"conversations": list(turns)} | ({"tools": tools} if tools is not None else {})


BROKEN_SHAREGPT = {
    "gpt_at_an_odd_position": (
        sharegpt(turn("human", "Q?"), turn("gpt", "A."), turn("gpt", "B.")),  # the third turn: human's place
        ["semantic.role_order"],
    ),
    "function_call_at_an_odd_position": (
        sharegpt(turn("function_call", call("Oslo")), turn("gpt", "A.")),
        ["semantic.role_order", "semantic.role_order"],
    ),
    "function_call_not_json": (
        sharegpt(turn("human", "Q?"), turn("function_call", "weather(Oslo)")),
        ["semantic.function_call_json"],
    ),
    "function_call_without_arguments": (
        sharegpt(turn("human", "Q?"), turn("function_call", '{"name": "weather"}')),
        ["semantic.function_call_json"],
    ),
    "arguments_a_string": (
        sharegpt(turn("human", "Q?"), turn("function_call", json.dumps({"name": "weather", "arguments": "{}"}))),
        ["semantic.function_call_json"],
    ),
    "tools_not_json": (sharegpt(turn("human", "Q?"), turn("gpt", "A."), tools="weather"), ["semantic.tools_json"]),
    "tools_an_object": (
        sharegpt(turn("human", "Q?"), turn("gpt", "A."), tools=json.dumps(WEATHER)),
        ["semantic.tools_json"],
    ),
    "tools_a_json_list_as_json_not_string": (
        {"conversations": [turn("human", "Q?"), turn("gpt", "A.")], "tools": [WEATHER]},
        ["schema.type"],
    ),
    "tool_without_name": (
        sharegpt(turn("human", "Q?"), turn("gpt", "A."), tools=json.dumps([{"description": "x"}])),
        ["semantic.tool_definition"],
    ),
    "call_to_an_undeclared_tool": (
        sharegpt(
            turn("human", "Q?"),
            turn("function_call", call("Oslo").replace("weather", "stocks")),
            tools=json.dumps([WEATHER]),
        ),
        ["semantic.unknown_tool"],
    ),
    "observation_after_gpt": (
        sharegpt(turn("human", "Q?"), turn("gpt", "A."), turn("observation", "4"), turn("gpt", "B.")),
        ["semantic.observation_order"],
    ),
    "unknown_role": (sharegpt(turn("human", "Q?"), turn("tool", "4")), ["schema.enum"]),
}


@pytest.mark.parametrize("case", sorted(BROKEN_SHAREGPT))
def test_sharegpt_rows_llama_factory_would_break_on_fail(tmp_path, case):
    record, expected = BROKEN_SHAREGPT[case]
    assert sorted(codes(write_array(tmp_path, [record]), "sharegpt")) == sorted(expected)


def test_parallel_calls_and_a_call_as_the_last_turn_pass(tmp_path):
    both = json.dumps([json.loads(call("Oslo")), json.loads(call("Bergen"))])
    record = sharegpt(turn("human", "Oslo and Bergen?"), turn("function_call", both), tools=json.dumps([WEATHER]))
    assert codes(write_array(tmp_path, [record]), "sharegpt") == []


def test_the_dpo_target_checks_tool_turns_too(tmp_path):
    record = {**DPO[0], "conversations": [turn("human", "Q?"), turn("function_call", "nope"), turn("observation", "4")]}
    assert codes(write_array(tmp_path, [record]), "llama-factory-dpo") == ["semantic.function_call_json"]


@pytest.mark.parametrize("label", ["true", 1, None, [True]])
def test_a_kto_label_that_is_not_boolean_fails(tmp_path, label):
    record = {**KTO[0], "label": label}
    assert codes(write_array(tmp_path, [record]), "llama-factory-kto") == ["schema.type"]


def test_kto_in_jsonl_passes_too(tmp_path):
    path = tmp_path / "kto.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in KTO), encoding="utf-8")
    assert codes(path, "llama-factory-kto") == []


# dataset_info.json: LLaMA-Factory's own entry shapes, plus one that renames everything.
INFO = {
    "plain_alpaca": {"file_name": "a.json"},
    "renamed_alpaca": {
        "file_name": "b.json",
        "columns": {"prompt": "q", "query": "ctx", "response": "a", "system": "sys"},
    },
    "tools_chat": {
        "file_name": "c.json",
        "formatting": "sharegpt",
        "columns": {"messages": "conversations", "tools": "tools"},
    },
    "pairs": {
        "file_name": "d.json",
        "ranking": True,
        "formatting": "sharegpt",
        "columns": {"messages": "conversations", "chosen": "chosen", "rejected": "rejected"},
    },
    "kto": {
        "file_name": "e.json",
        "formatting": "sharegpt",
        "columns": {"messages": "messages", "kto_tag": "label"},
        "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant"},
    },
    "openai_style": {
        "file_name": "f.json",
        "formatting": "sharegpt",
        "columns": {"messages": "dialog"},
        "tags": {
            "role_tag": "speaker",
            "content_tag": "text",
            "user_tag": "client",
            "assistant_tag": "agent",
            "system_tag": "setup",
        },
    },
    "alpaca_pairs": {
        "file_name": "g.json",
        "ranking": True,
        "columns": {"prompt": "instruction", "chosen": "c", "rejected": "r"},
    },
}
DIALOG = [
    {
        "dialog": [
            {"speaker": "setup", "text": "Be brief."},
            {"speaker": "client", "text": "Q?"},
            {"speaker": "agent", "text": "A."},
        ]
    }
]


@pytest.fixture
def info(tmp_path: Path) -> Path:
    path = tmp_path / "dataset_info.json"
    path.write_text(json.dumps(INFO), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "target", "records"),
    [
        ("plain_alpaca", "llama-factory", ALPACA),
        (
            "renamed_alpaca",
            "llama-factory",
            [{"q": "Capital of France?", "ctx": "", "a": "Paris.", "sys": "Be brief."}],
        ),
        ("tools_chat", "sharegpt", TOOL_CHAT),
        ("pairs", "llama-factory-dpo", DPO),
        ("kto", "llama-factory-kto", KTO),
        ("openai_style", "sharegpt", DIALOG),
    ],
)
def test_an_entry_picks_its_target_and_reads_its_names(tmp_path, info, name, target, records):
    mapping = read_mapping(info, name)
    assert mapping.target == target
    assert codes(write_array(tmp_path, records), target, dataset=mapping) == []


def test_findings_name_the_files_own_columns_and_tags(tmp_path, info):
    record = {"dialog": [{"speaker": "client", "text": "Q?"}, {"speaker": "client", "text": "Q again?"}]}
    result = validate_files(
        [write_array(tmp_path, [record])], Options("sharegpt", tokens=False, dataset=read_mapping(info, "openai_style"))
    )
    assert [(f.code, f.path) for f in result.errors] == [
        ("semantic.no_assistant", "dialog"),
        ("semantic.role_order", "dialog[1]"),
    ]


def test_what_the_entry_does_not_map_is_reported(tmp_path, info):
    """kto_en_demo's entry names no system_tag, so LLaMA-Factory's converter rejects a system turn."""
    system_first = {**KTO[0], "messages": [{"role": "system", "content": "Be brief."}, *KTO[0]["messages"]]}
    unmapped_column = {**KTO[0], "system": "Be brief."}
    path = write_array(tmp_path, [system_first, unmapped_column])
    assert codes(path, "llama-factory-kto", dataset=read_mapping(info, "kto")) == [
        "schema.enum",
        "schema.additionalProperties",
    ]
    assert codes(path, "llama-factory-kto") == []  # the target alone takes both


@pytest.mark.parametrize(
    ("formatting", "ranking", "columns", "target"),
    [
        ("alpaca", False, {}, "llama-factory"),
        ("alpaca", True, {}, None),
        ("alpaca", False, {"kto_tag": "label"}, None),
        ("sharegpt", False, {}, "sharegpt"),
        ("sharegpt", True, {}, "llama-factory-dpo"),
        ("sharegpt", False, {"kto_tag": "label"}, "llama-factory-kto"),
    ],
)
def test_entry_target(formatting, ranking, columns, target):
    assert entry_target(formatting, ranking, columns) == target


@pytest.mark.parametrize("name", ["missing", "alpaca_pairs"])
def test_an_entry_without_a_target_is_an_input_error(info, name):
    with pytest.raises(InputError, match=name):
        read_mapping(info, name)


def test_cli_exit_codes(tmp_path, info, capsys):
    path = write_array(tmp_path, KTO)
    assert main(["validate", str(path), "--dataset-info", str(info), "--dataset", "kto", "--no-tokens"]) == 0
    assert main(["validate", str(path), "--dataset-info", str(info), "--dataset", "kto", "--target", "sharegpt"]) == 2
    assert main(["validate", str(path), "--dataset", "kto"]) == 2
    assert main(["validate", str(path), "--dataset-info", str(info), "--dataset", "nope"]) == 2
    assert main(["validate", str(path), "--target", "llama-factory-kto", "--no-tokens"]) == 0
    assert "llama-factory-kto" in capsys.readouterr().out


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from(["role", "content", "user", "speaker", "client", "x"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["dialog", "messages", "label", "speaker", "text", "role", "kto_tag"]), inner, max_size=4
        )
    ),
    max_leaves=20,
)


@settings(max_examples=200)
@given(value=json_values)
def test_renaming_never_raises(value):
    for name in ("kto", "openai_style", "renamed_alpaca"):
        mapping = read_mapping_cached(name)
        mapping.to_canonical(value)
        mapping.user_path("dialog[1].text")


MAPPINGS: dict = {}


def read_mapping_cached(name: str):
    if name not in MAPPINGS:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "dataset_info.json"
            path.write_text(json.dumps(INFO), encoding="utf-8")
            MAPPINGS[name] = read_mapping(path, name)
    return MAPPINGS[name]
