"""Preference and KTO targets: fixture files, records rendered from EXAMPLE frames, and the fast path."""

import json
from pathlib import Path

import polars as pl
import pytest
from format_strategies import good_texts, roles, texts
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.checks.format import check_format, check_record, validate_file
from pipeline.checks.targets import TARGETS, get_target
from pipeline.records import EXAMPLE

DATA = Path(__file__).parent / "data" / "formats"
PREFERENCE = ("openai-dpo", "trl-preference", "llama-factory-dpo", "vertex-gemini-preference", "together-preference")
NAMES = (*PREFERENCE, "trl-kto", "llama-factory-kto")


def user(content: str | None) -> dict:
    return {"role": "user", "content": content}


def assistant(content: str | None) -> dict:
    return {"role": "assistant", "content": content}


def example_frame(rows: list[dict], kind: str) -> pl.DataFrame:
    return pl.DataFrame([{"id": str(i), "kind": kind, **row} for i, row in enumerate(rows)], schema=EXAMPLE)


def kind_of(name: str) -> str:
    return get_target(name).kinds[0]


def test_each_target_declares_the_kinds_it_renders():
    sft = ("bedrock-claude", "vertex-gemini", "mistral", "together-conversational", "together-instruction")
    sft += ("trl-sft", "alpaca", "sharegpt", "llama-factory")
    assert {name: target.kinds for name, target in TARGETS.items()} == {
        "openai-chat": ("sft",),
        **dict.fromkeys(sft, ("sft",)),
        **dict.fromkeys(PREFERENCE, ("preference",)),
        "trl-kto": ("kto",),
        "llama-factory-kto": ("kto",),
    }


ROWS = [
    {"system": None, "messages": [user("What is the capital of France?")]},
    {"system": "Be brief.", "messages": [user("What is the capital of France?")]},
    {"system": None, "messages": [user("Hi!"), assistant("Hello."), user("Capital of France?")]},
    {"system": "Be brief.", "messages": [user("Hi!"), assistant("Hello."), user("Capital of France?")]},
]
ANSWERS = {"chosen": "Paris.", "rejected": "Lyon.", "label": True}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("rows", [ROWS, ROWS[::2]], ids=["mixed_system", "no_system"])
def test_rendered_records_validate(tmp_path, name, rows):
    target = get_target(name)
    records = target.to_records(example_frame([{**row, **ANSWERS} for row in rows], kind_of(name)))
    path = tmp_path / "train.jsonl"
    records.write_ndjson(path)
    too_few = target.min_examples is not None and len(rows) < target.min_examples
    assert [finding.code for finding in validate_file(path, name).errors] == (["file.too_few_examples"] * too_few)
    assert target.clean_rows(records).to_list() == [True] * len(rows)


# One rendered record per target, the multi-turn example with a system prompt: the formats as a spec.
HISTORY = [("user", "Hi!"), ("assistant", "Hello."), ("user", "Capital of France?")]
RENDERED = {
    "openai-dpo": {
        "input": {
            "messages": [{"role": "system", "content": "Be brief."}, *[{"role": r, "content": c} for r, c in HISTORY]]
        },
        "preferred_output": [{"role": "assistant", "content": "Paris."}],
        "non_preferred_output": [{"role": "assistant", "content": "Lyon."}],
    },
    "together-preference": {
        "input": {
            "messages": [{"role": "system", "content": "Be brief."}, *[{"role": r, "content": c} for r, c in HISTORY]]
        },
        "preferred_output": [{"role": "assistant", "content": "Paris."}],
        "non_preferred_output": [{"role": "assistant", "content": "Lyon."}],
    },
    "trl-preference": {
        "prompt": [{"role": "system", "content": "Be brief."}, *[{"role": r, "content": c} for r, c in HISTORY]],
        "chosen": [{"role": "assistant", "content": "Paris."}],
        "rejected": [{"role": "assistant", "content": "Lyon."}],
    },
    "llama-factory-dpo": {
        "conversations": [
            {"from": "system", "value": "Be brief."},
            *[{"from": {"user": "human", "assistant": "gpt"}[r], "value": c} for r, c in HISTORY],
        ],
        "chosen": {"from": "gpt", "value": "Paris."},
        "rejected": {"from": "gpt", "value": "Lyon."},
    },
    "vertex-gemini-preference": {
        "system_instruction": {"parts": [{"text": "Be brief."}]},
        "contents": [{"role": {"user": "user", "assistant": "model"}[r], "parts": [{"text": c}]} for r, c in HISTORY],
        "completions": [
            {"score": 1, "completion": {"role": "model", "parts": [{"text": "Paris."}]}},
            {"score": 0, "completion": {"role": "model", "parts": [{"text": "Lyon."}]}},
        ],
    },
    "trl-kto": {
        "prompt": [{"role": "system", "content": "Be brief."}, *[{"role": r, "content": c} for r, c in HISTORY]],
        "completion": [{"role": "assistant", "content": "Paris."}],
        "label": True,
    },
    "llama-factory-kto": {
        "messages": [
            {"role": "system", "content": "Be brief."},
            *[{"role": r, "content": c} for r, c in HISTORY],
            {"role": "assistant", "content": "Paris."},
        ],
        "label": True,
    },
}


@pytest.mark.parametrize("name", NAMES)
def test_rendered_record_shape(name):
    records = get_target(name).to_records(example_frame([{**ROWS[3], **ANSWERS}], kind_of(name)))
    assert json.loads(records.write_ndjson()) == RENDERED[name]


@pytest.mark.parametrize("name", NAMES)
def test_a_null_system_prompt_renders_no_system_turn_or_field(name):
    record = get_target(name).to_records(example_frame([{**ROWS[0], **ANSWERS}], kind_of(name))).to_dicts()[0]
    assert "system" not in json.dumps(record) and "system_instruction" not in record


def test_format_stage_rejects_a_pair_with_the_first_finding():
    frame = example_frame([{**ROWS[0], **ANSWERS}, {**ROWS[0], "chosen": "Paris.", "rejected": "Paris."}], "preference")
    kept, rejected = check_format(frame, "trl-preference")
    assert kept["id"].to_list() == ["0"]
    assert rejected.select("id", "reject_reason", "reject_detail").row(0) == (
        "1",
        "semantic.identical_pair",
        "rejected[0].content: chosen and rejected are the same text",
    )


OK = {"system": None, "messages": [user("Q?")], "chosen": "Yes.", "rejected": "No.", "label": True}
# EXAMPLE rows at the edges of each rule; some are valid in one target and not another (a "model" turn).
EDGES = {
    "single_turn": {},
    "system": {"system": "Be brief."},
    "empty_system": {"system": " "},
    "multi_turn": {"messages": [user("Hi!"), assistant("Hello."), user("Q?")]},
    "empty_chosen": {"chosen": " "},
    "empty_rejected": {"rejected": "\u3000"},
    "null_chosen": {"chosen": None},
    "null_rejected": {"rejected": None},
    "identical": {"rejected": " Yes.\n"},
    "zero_width_is_not_empty": {"chosen": "\u200b"},
    "null_label": {"label": None},
    "null_messages": {"messages": None},
    "no_messages": {"messages": []},
    "null_message": {"messages": [None, user("Q?")]},
    "ends_with_assistant": {"messages": [user("Q?"), assistant("A.")]},
    "starts_with_assistant": {"messages": [assistant("Hello."), user("Q?")]},
    "two_user_turns": {"messages": [user("Q?"), user("Q?")]},
    "system_turn_first": {"messages": [{"role": "system", "content": "S."}, user("Q?")]},
    "system_turn_twice": {"system": "S.", "messages": [{"role": "system", "content": "S."}, user("Q?")]},
    "system_turn_late": {"messages": [user("Q?"), {"role": "system", "content": "S."}, user("Q?")]},
    "null_system_turn": {"messages": [{"role": "system", "content": None}, user("Q?")]},
    "tool_turn": {"messages": [user("Q?"), {"role": "tool", "content": "42"}, user("Q?")]},
    "null_role": {"messages": [user("Q?"), {"role": None, "content": "A."}, user("Q?")]},
    "null_content": {"messages": [user(None)]},
    "blank_content": {"messages": [user("Q?"), assistant("\n"), user("Q?")]},
    "model_turn": {"messages": [user("Q?"), {"role": "model", "content": "A."}, user("Q?")]},
    "sharegpt_tool_turns": {
        "messages": [user("Q?"), {"role": "function_call", "content": "{}"}, {"role": "observation", "content": "42"}]
    },
}


@pytest.mark.parametrize("name", NAMES)
def test_fast_path_agrees_with_jsonschema_at_the_edges(name):
    target = get_target(name)
    records = target.to_records(example_frame([{**OK, **edge} for edge in EDGES.values()], kind_of(name)))
    exact = [not check_record(record, target) for record in records.to_dicts()]
    assert dict(zip(EDGES, target.clean_rows(records).to_list(), strict=True)) == dict(zip(EDGES, exact, strict=True))
    assert exact[0] and not all(exact)


def histories(text: st.SearchStrategy) -> st.SearchStrategy:
    """Alternating user and assistant turns ending with the user's: the shape of a well-formed prompt."""
    return st.builds(
        lambda history, last: [turn for q, a in history for turn in (user(q), assistant(a))] + [user(last)],
        st.lists(st.tuples(text, text), max_size=2),
        text,
    )


noisy_rows = st.fixed_dictionaries(
    {
        "system": texts,
        "messages": st.one_of(
            st.none(),
            st.lists(st.one_of(st.fixed_dictionaries({"role": roles, "content": texts}), st.none()), max_size=5),
            histories(texts),
        ),
        "chosen": texts,
        "rejected": texts,
        "label": st.none() | st.booleans(),
    }
)


def edit(messages: list[dict], change: tuple) -> list:
    """One change to a well-formed prompt: a turn's role or content, an inserted turn, a dropped turn."""
    action, index, value = change
    messages = list(messages)
    if action == "insert":
        messages.insert(index, value)
    elif action == "drop":
        del messages[index % len(messages)]
    else:
        messages[index % len(messages)] = {**messages[index % len(messages)], action: value}
    return messages


edits = st.one_of(
    st.tuples(st.just("role"), st.integers(0, 4), roles),
    st.tuples(st.just("content"), st.integers(0, 4), texts),
    st.tuples(
        st.just("insert"), st.integers(0, 5), st.none() | st.fixed_dictionaries({"role": roles, "content": texts})
    ),
    st.tuples(st.just("drop"), st.integers(0, 4), st.none()),
)
tidy_rows = st.fixed_dictionaries(
    {
        "system": st.none() | good_texts,
        "messages": histories(good_texts),
        "chosen": good_texts,
        "rejected": good_texts,
        "label": st.booleans(),
    }
)


def change(row: dict, what: tuple) -> dict:
    """A tidy row with one thing changed: the prompt, a field, or the rejected answer made the chosen one."""
    field, value = what
    if field == "messages" and value is not None:
        return {**row, "messages": edit(row["messages"], value)}
    if field == "identical":
        return {**row, "rejected": f"{value}{row['chosen']}"}
    return {**row, field: value}


changes = st.one_of(
    st.tuples(st.just("messages"), edits),
    st.tuples(st.sampled_from(["chosen", "rejected", "system", "label", "messages"]), st.none()),
    st.tuples(st.sampled_from(["chosen", "rejected"]), texts),
    st.tuples(st.just("identical"), st.sampled_from(["", " ", "\n", "\u3000"])),
)
# Far from valid, valid, and one change away from valid: so both answers of the fast path are exercised.
rows = st.one_of(noisy_rows, tidy_rows, st.builds(change, tidy_rows, changes))


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=120)
@given(examples=st.lists(rows, min_size=1, max_size=6))
def test_fast_path_agrees_with_jsonschema(name, examples):
    target = get_target(name)
    records = target.to_records(example_frame(examples, kind_of(name)))
    fast = target.clean_rows(records).to_list()
    exact = [not check_record(record, target) for record in records.to_dicts()]
    assert fast == exact
