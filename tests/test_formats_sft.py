"""Supervised targets of the other providers and trainers: fixture files, rendered records, the fast path.

together-preference renders preference rows, so its tests live with the other preference targets in
test_formats_preference.py.
"""

import json
from pathlib import Path

import polars as pl
import pytest
from format_strategies import good_texts, roles, texts
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.checks.format import check_format, check_record, validate_file
from pipeline.checks.targets import Target, get_target
from pipeline.checks.targets.bedrock_claude import MAX_RECORD_TOKENS as BEDROCK_TOKENS
from pipeline.checks.targets.sft_rules import CHARS_PER_TOKEN
from pipeline.checks.targets.together_conversational import MAX_IMAGE_BASE64
from pipeline.checks.targets.vertex_gemini import MAX_RECORD_TOKENS as GEMINI_TOKENS
from pipeline.records import EXAMPLE

DATA = Path(__file__).parent / "data" / "formats"
SFT = (
    "bedrock-claude", "vertex-gemini", "mistral", "together-conversational", "together-instruction", "trl-sft",
    "alpaca", "sharegpt", "llama-factory",
)  # fmt: skip


def user(content: str | None) -> dict:
    return {"role": "user", "content": content}


def assistant(content: str | None) -> dict:
    return {"role": "assistant", "content": content}


def example_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame([{"id": str(i), "kind": "sft", **row} for i, row in enumerate(rows)], schema=EXAMPLE)


def too_few(target: Target, records: int) -> list[str]:
    """The one file-level finding a short file gets: fixtures need not reach a provider's minimum."""
    return ["file.too_few_examples"] if target.min_examples and records < target.min_examples else []


ROWS = [
    {"system": None, "messages": [user("What is the capital of France?"), assistant("Paris.")]},
    {"system": "Be brief.", "messages": [user("What is the capital of Italy?"), assistant("Rome.")]},
    {"system": None, "messages": [user("Hi!"), assistant("Hello."), user("Capital of Spain?"), assistant("Madrid.")]},
    {
        "system": "Be brief.",
        "messages": [user("Hi!"), assistant("Hello."), user("Capital of France?"), assistant("Paris.")],
    },
]


@pytest.mark.parametrize("name", SFT)
@pytest.mark.parametrize("rows", [ROWS, ROWS[::2]], ids=["mixed_system", "no_system"])
def test_rendered_records_validate(tmp_path, name, rows):
    target = get_target(name)
    records = target.to_records(example_frame(rows))
    path = tmp_path / "train.jsonl"
    records.write_ndjson(path)
    assert [finding.code for finding in validate_file(path, name).errors] == too_few(target, len(rows))
    assert target.clean_rows(records).to_list() == [True] * len(rows)


# One rendered record per target, the multi-turn example with a system prompt: the formats as a spec.
HISTORY = [("user", "Hi!"), ("assistant", "Hello."), ("user", "Capital of France?"), ("assistant", "Paris.")]
CHAT = [{"role": "system", "content": "Be brief."}, *[{"role": r, "content": c} for r, c in HISTORY]]
ALPACA = {
    "instruction": "Capital of France?",
    "input": "",
    "output": "Paris.",
    "system": "Be brief.",
    "history": [["Hi!", "Hello."]],
}
RENDERED = {
    "bedrock-claude": {"system": "Be brief.", "messages": CHAT[1:]},
    "vertex-gemini": {
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
        "contents": [{"role": {"user": "user", "assistant": "model"}[r], "parts": [{"text": c}]} for r, c in HISTORY],
    },
    "mistral": {"messages": CHAT},
    "together-conversational": {"messages": CHAT},
    "together-instruction": {"prompt": "Be brief.\n\nHi!\n\nHello.\n\nCapital of France?", "completion": "Paris."},
    "trl-sft": {"messages": CHAT},
    "alpaca": ALPACA,
    "sharegpt": {
        "conversations": [
            {"from": "system", "value": "Be brief."},
            *[{"from": {"user": "human", "assistant": "gpt"}[r], "value": c} for r, c in HISTORY],
        ]
    },
    "llama-factory": ALPACA,
}


@pytest.mark.parametrize("name", SFT)
def test_rendered_record_shape(name):
    records = get_target(name).to_records(example_frame([ROWS[3]]))
    assert json.loads(records.write_ndjson()) == RENDERED[name]


@pytest.mark.parametrize("name", SFT)
def test_a_frame_without_system_prompts_renders_no_system_turn_or_field(name):
    record = get_target(name).to_records(example_frame([ROWS[0]])).to_dicts()[0]
    assert "system" not in json.dumps(record) and "systemInstruction" not in record and "history" not in record


@pytest.mark.parametrize(
    ("name", "field", "value"),
    [("bedrock-claude", "system", ""), ("vertex-gemini", "systemInstruction", None), ("alpaca", "system", "")],
)
def test_rows_without_a_system_prompt_in_a_mixed_frame(name, field, value):
    """A strict `str` check refuses `null`, so Bedrock and Alpaca get `""`; protobuf JSON reads null as unset."""
    assert get_target(name).to_records(example_frame(ROWS[:2])).to_dicts()[0][field] == value


@pytest.mark.parametrize(
    ("name", "code"),
    [("together-instruction", "schema.type"), ("alpaca", "schema.type"), ("llama-factory", "schema.type")],
)
def test_examples_these_formats_cannot_hold_render_as_schema_failures(name, code):
    frame = example_frame([{"system": None, "messages": [user("Q?"), user("Q again?"), assistant("A.")]}])
    kept, rejected = check_format(frame, name)
    assert kept.height == 0 and rejected["reject_reason"].to_list() == [code]


def test_format_stage_rejects_with_the_first_finding():
    frame = example_frame([ROWS[0], {"system": None, "messages": [user("Q?"), assistant(" ")]}])
    kept, rejected = check_format(frame, "bedrock-claude")
    assert kept["id"].to_list() == ["0"]
    assert rejected.select("reject_reason", "reject_detail").row(0) == (
        "semantic.empty_content",
        "messages[1].content: the assistant turn is empty",
    )


PNG = "data:image/png;base64,"
CONVERSATION = [user("Q?"), assistant("A.")]


@pytest.mark.parametrize(
    ("name", "record", "codes"),
    [
        ("trl-sft", {"prompt": "Capital of France?", "completion": " Paris."}, []),
        ("trl-sft", {"prompt": [user("Capital of France?")], "completion": [assistant("Paris.")]}, []),
        ("trl-sft", {"prompt": "Q?", "completion": "\n"}, ["semantic.empty_content"]),
        ("trl-sft", {"prompt": "Q?"}, ["semantic.wrong_type"]),  # a prompt-only record
        ("trl-sft", {"prompt": CONVERSATION, "completion": [assistant("B.")]}, ["semantic.last_not_user"]),
        ("trl-sft", {"prompt": [user("Q?")], "completion": [user("B.")]}, ["schema.const"]),
        ("trl-sft", {"prompt": [user("Q?")], "completion": "A."}, ["schema.type"]),
        ("trl-sft", {"prompt": [user("Q?")], "completion": [assistant(" ")]}, ["semantic.empty_content"]),
        ("bedrock-claude", {"messages": [user("Q?"), assistant("a" * (BEDROCK_TOKENS * CHARS_PER_TOKEN - 2))]}, []),
        (
            "bedrock-claude",
            {"messages": [user("Q?"), assistant("a" * (BEDROCK_TOKENS * CHARS_PER_TOKEN - 1))]},
            ["semantic.too_long"],
        ),
        (
            "vertex-gemini",
            {
                "contents": [
                    {"role": "user", "parts": [{"text": "a" * GEMINI_TOKENS * CHARS_PER_TOKEN}]},
                    {"role": "model", "parts": [{"text": "b"}]},
                ]
            },
            ["semantic.too_long"],
        ),
        (
            "together-conversational",
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [{"type": "image_url", "image_url": {"url": PNG + "A" * MAX_IMAGE_BASE64}}],
                    },
                    {"role": "assistant", "content": [{"type": "text", "text": "A."}]},
                ]
            },
            [],
        ),
        (
            "together-conversational",
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [{"type": "image_url", "image_url": {"url": PNG + "A" * (MAX_IMAGE_BASE64 + 1)}}],
                    },
                    {"role": "assistant", "content": [{"type": "text", "text": "A."}]},
                ]
            },
            ["semantic.image_too_large"],
        ),
    ],
)
def test_check_record(name, record, codes):
    assert [finding.code for finding in check_record(record, get_target(name))] == codes


@pytest.mark.parametrize(("name", "limit"), [("bedrock-claude", BEDROCK_TOKENS), ("vertex-gemini", GEMINI_TOKENS)])
def test_length_guard_agrees_with_the_record_check(name, limit):
    target = get_target(name)
    budget = limit * CHARS_PER_TOKEN - len("Q?")
    rows = [
        {"system": system, "messages": [user("Q?"), assistant("a" * (budget - extra - len(system or "")))]}
        for system in (None, "Be brief.")
        for extra in (1, 0, -1)
    ]
    records = target.to_records(example_frame(rows))
    exact = [not check_record(record, target) for record in records.to_dicts()]
    assert exact == [True, True, False] * 2
    assert target.clean_rows(records).to_list() == exact


def conversations(text: st.SearchStrategy) -> st.SearchStrategy:
    """User and assistant turns in alternation ending with the assistant's: a well-formed SFT example."""
    return st.lists(st.tuples(text, text), min_size=1, max_size=3).map(
        lambda rounds: [turn for q, a in rounds for turn in (user(q), assistant(a))]
    )


noisy_rows = st.fixed_dictionaries(
    {
        "system": texts,
        "messages": st.one_of(
            st.none(),
            st.lists(st.one_of(st.fixed_dictionaries({"role": roles, "content": texts}), st.none()), max_size=5),
            conversations(texts),
        ),
    }
)
tidy_rows = st.fixed_dictionaries({"system": st.none() | good_texts, "messages": conversations(good_texts)})


def edit(row: dict, change: tuple) -> dict:
    """A tidy row with one change: a turn's role or content, an inserted or dropped turn, or the system prompt."""
    action, index, value = change
    if action == "system":
        return {**row, "system": value}
    messages = list(row["messages"])
    if action == "insert":
        messages.insert(index, value)
    elif action == "drop":
        del messages[index % len(messages)]
    else:
        messages[index % len(messages)] = {**messages[index % len(messages)], action: value}
    return {**row, "messages": messages}


edits = st.one_of(
    st.tuples(st.just("role"), st.integers(0, 5), roles),
    st.tuples(st.just("content"), st.integers(0, 5), texts),
    st.tuples(
        st.just("insert"), st.integers(0, 6), st.none() | st.fixed_dictionaries({"role": roles, "content": texts})
    ),
    st.tuples(st.just("drop"), st.integers(0, 5), st.none()),
    st.tuples(st.just("system"), st.just(0), texts),
)
# Far from valid, valid, and one change away from valid: so both answers of the fast path are exercised.
rows = st.one_of(noisy_rows, tidy_rows, st.builds(edit, tidy_rows, edits))


@pytest.mark.parametrize("name", SFT)
@settings(max_examples=60)
@given(examples=st.lists(rows, min_size=1, max_size=6))
def test_fast_path_agrees_with_jsonschema(name, examples):
    target = get_target(name)
    records = target.to_records(example_frame(examples))
    fast = target.clean_rows(records).to_list()
    exact = [not check_record(record, target) for record in records.to_dicts()]
    assert fast == exact
