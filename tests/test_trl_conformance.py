"""`ftprep validate` against TRL's dataset-formats guide: every example it shows, for every TRL target.

The examples and which target takes each are in trl_doc_examples.py (written from the guide's text);
a target accepts an example when the command exits 0 with no error, and refuses it with exactly one
error per record, `semantic.wrong_type`, naming the type it is. Then the forms each target takes, in
pairs, make one `file.mixed_format` per odd record; real defects stay errors in every form; and the
restated `trl.data_utils` logic (extract_prompt, is_conversational) holds on the guide's own outputs.
"""

import json
from itertools import permutations
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from trl_doc_examples import EXAMPLES, SKY, TARGETS, TEMPLATE_ONLY, assistant, user

from flows.cli import main
from pipeline.checks.targets import get_target
from pipeline.checks.targets.trl_types import extract_prompt, form_of, is_conversational


def validate(tmp_path: Path, records: list[dict], target: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    """(exit code, JSON result) of `ftprep validate FILE --target TARGET --json` on the records."""
    path = tmp_path / "data.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    capsys.readouterr()
    code = main(["validate", str(path), "--target", target, "--json"])
    return code, json.loads(capsys.readouterr().out)


def error_codes(result: dict) -> list[tuple[int, str]]:
    return [(error["line"], error["code"]) for error in result["errors"]]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_target_accepts_exactly_what_its_trainers_take(tmp_path, capsys, name, target):
    records, accepted = EXAMPLES[name]
    code, result = validate(tmp_path, records, target, capsys)
    if target in accepted:
        assert (code, error_codes(result)) == (0, [])
    else:
        expected = [(line, "semantic.wrong_type") for line in range(1, len(records) + 1)]
        assert (code, error_codes(result)) == (1, expected)  # one finding per record: its type


@pytest.mark.parametrize("name", sorted(TEMPLATE_ONLY))
def test_conversations_ending_with_the_user_are_refused_for_sft(tmp_path, capsys, name):
    records, finding = TEMPLATE_ONLY[name]
    code, result = validate(tmp_path, records, "trl-sft", capsys)
    assert (code, error_codes(result)) == (1, [(1, finding)])


def forms_taken(target: str) -> dict[str, dict]:
    """One record of each form the target takes, from the guide's examples."""
    forms: dict[str, dict] = {}
    for records, accepted in EXAMPLES.values():
        form = form_of(records[0])
        if target in accepted and form is not None:
            forms.setdefault(form, records[0])
    return forms


@pytest.mark.parametrize(
    ("target", "count"), [("trl-sft", 4), ("trl-preference", 4), ("trl-kto", 6)], ids=["sft", "preference", "kto"]
)
def test_every_form_a_target_takes_is_in_the_guide(target, count):
    assert len(forms_taken(target)) == count  # standard and conversational of each type it takes


@pytest.mark.parametrize("target", TARGETS)
def test_a_file_holds_one_form_decided_by_its_first_record(tmp_path, capsys, target):
    """TRL reads the format from the first record (`is_conversational(dataset[0])`) and a file as one
    table, so a record in another form is one error, whichever form comes first."""
    forms = forms_taken(target)
    for first, second in permutations(forms, 2):
        code, result = validate(tmp_path, [forms[first], forms[second], forms[first]], target, capsys)
        assert (code, error_codes(result)) == (1, [(2, "file.mixed_format")]), (first, second)
        assert second in result["errors"][0]["message"] and first in result["errors"][0]["message"]


TOOL_CALL = {"role": "assistant", "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {}}}]}
PAIR = {"prompt": [user(SKY)], "chosen": [assistant("It is blue.")], "rejected": [assistant("It is green.")]}
DEFECTS = [
    # trl-sft: language modeling and prompt-completion, standard and conversational
    ("trl-sft", {"text": " \n"}, ["semantic.empty_content"]),
    ("trl-sft", {"text": 42}, ["schema.type"]),
    ("trl-sft", {"messages": [{"role": "bot", "content": SKY}, assistant("Blue.")]}, ["schema.enum"]),
    ("trl-sft", {"messages": [user(SKY), assistant(" ")]}, ["semantic.empty_content"]),
    ("trl-sft", {"messages": [user(SKY), {"role": "assistant"}]}, ["schema.required"]),
    ("trl-sft", {"messages": [user(SKY), {"role": "tool", "content": "42"}, assistant("A.")]}, ["semantic.role_order"]),
    ("trl-sft", {"messages": [user(SKY), TOOL_CALL, {"role": "tool", "content": "blue"}, assistant("Blue.")]}, []),
    ("trl-sft", {"messages": [user(SKY), assistant("Blue.")], "tools": "[{"}, ["semantic.tools_not_json"]),
    ("trl-sft", {"messages": [user(SKY), assistant("Blue.")], "tools": '{"a": 1}'}, ["semantic.tools_not_json"]),
    ("trl-sft", {"messages": [user(SKY), assistant("Blue.")], "tools": [{"type": "function"}]}, ["schema.required"]),
    ("trl-sft", {"messages": [user(SKY), assistant("Blue.")], "tool": []}, ["schema.additionalProperties"]),
    (
        "trl-sft",
        {"messages": [user(SKY), {"role": "developer", "content": "Be brief."}, assistant("Blue.")]},
        ["semantic.system_not_first"],
    ),
    ("trl-sft", {"prompt": "The sky is", "completion": [assistant(" blue.")]}, ["schema.type"]),
    ("trl-sft", {"prompt": [user(SKY)], "completion": [user("Blue.")]}, ["schema.const"]),
    (
        "trl-sft",
        {"prompt": [user(SKY)], "completion": [{"role": "assistant", "content": ""}]},
        ["semantic.empty_content"],
    ),
    ("trl-sft", {"prompt": "The sky is", "completion": ""}, ["semantic.empty_content"]),
    ("trl-sft", {"prompt": "The sky is", "completion": " blue.", "label": True}, ["semantic.wrong_type"]),
    ("trl-sft", {"messages": [user(SKY), assistant("Blue.")], "text": "x"}, ["semantic.wrong_type"]),
    ("trl-sft", {"completion": " blue."}, ["semantic.wrong_type"]),
    ("trl-sft", {}, ["semantic.wrong_type"]),
    # trl-preference: explicit and implicit prompt, standard and conversational
    (
        "trl-preference",
        {"prompt": "The sky is", "chosen": " blue.", "rejected": " blue. "},
        ["semantic.identical_pair"],
    ),
    ("trl-preference", {**PAIR, "rejected": [assistant("It is blue.")]}, ["semantic.identical_pair"]),
    ("trl-preference", {**PAIR, "prompt": [{"role": "robot", "content": SKY}]}, ["schema.enum"]),
    ("trl-preference", {**PAIR, "chosen": [assistant("")]}, ["semantic.empty_chosen"]),
    ("trl-preference", {**PAIR, "prompt": "The sky is"}, ["schema.type"]),  # one form per record: the odd field
    ("trl-preference", {**PAIR, "chosen": " blue."}, ["schema.type"]),
    ("trl-preference", {"prompt": [user(SKY)], "chosen": " blue.", "rejected": " green."}, ["schema.type"]),
    ("trl-preference", {"chosen": "The sky is blue.", "rejected": "The sky is blue."}, ["semantic.identical_pair"]),
    ("trl-preference", {"chosen": "The sky is", "rejected": "The sky is green."}, ["semantic.empty_chosen"]),
    ("trl-preference", {"chosen": "The sky is blue.", "rejected": [assistant("Green.")]}, ["schema.type"]),
    (
        "trl-preference",
        {"chosen": [user(SKY), assistant("Blue.")], "rejected": [user(SKY), assistant("Blue.")]},
        ["semantic.identical_pair"],
    ),
    (
        "trl-preference",
        {"chosen": [user(SKY), assistant("Blue.")], "rejected": [user("Where is the sun?"), assistant("Sky.")]},
        ["semantic.no_shared_prompt"],
    ),
    (
        "trl-preference",
        {"chosen": [user(SKY), assistant("Blue.")], "rejected": [user(SKY), user("Green?")]},
        ["semantic.implicit_answer"],
    ),
    (
        "trl-preference",
        {"chosen": [user(SKY), assistant("Blue.")], "rejected": [user(SKY), assistant("Blue."), user("And?")]},
        ["semantic.empty_chosen"],
    ),
    (
        "trl-preference",
        {"chosen": [user(SKY), assistant(" ")], "rejected": [user(SKY), assistant("Green.")]},
        ["semantic.empty_chosen"],
    ),
    (
        "trl-preference",
        {
            "chosen": [assistant("Hi."), user(SKY), assistant("Blue.")],
            "rejected": [assistant("Hi."), user(SKY), assistant("Red.")],
        },
        ["semantic.role_order"],
    ),
    ("trl-preference", {"chosen": [user(SKY), assistant("Blue.")]}, ["semantic.wrong_type"]),
    # trl-kto: unpaired, and preference rows it unpairs
    ("trl-kto", {"prompt": "The sky is", "completion": " blue.", "label": "true"}, ["schema.type"]),
    ("trl-kto", {"prompt": "The sky is", "completion": " blue.", "label": 1}, ["schema.type"]),
    (
        "trl-kto",
        {"prompt": [user(SKY)], "completion": [assistant("\t")], "label": False},
        ["semantic.empty_completion"],
    ),
    ("trl-kto", {"prompt": [user(SKY)], "completion": [assistant("Blue.")]}, ["semantic.wrong_type"]),
    ("trl-kto", {**PAIR, "rejected": [assistant("It is blue.")]}, ["semantic.identical_pair"]),
    ("trl-kto", {"chosen": "The sky is blue.", "rejected": "The sky is blue."}, ["semantic.identical_pair"]),
    ("trl-kto", {**PAIR, "label": True}, ["semantic.wrong_type"]),
]


@pytest.mark.parametrize(("target", "record", "codes"), DEFECTS)
def test_real_defects_stay_errors_one_per_cause(tmp_path, capsys, target, record, codes):
    code, result = validate(tmp_path, [record], target, capsys)
    assert (code, [finding for _, finding in error_codes(result)]) == (1 if codes else 0, codes)


def test_extract_prompt_splits_the_guides_pairs_as_trl_does():
    # "Preference", implicit prompt, standard: the prompt is "The sky is" (the explicit example's).
    assert extract_prompt("The sky is blue.", "The sky is green.") == ("The sky is", " blue.", " green.")
    # "From implicit to explicit prompt preference dataset": dataset[0] after extract_prompt.
    chosen, rejected = [user(SKY), assistant("It is blue.")], [user(SKY), assistant("It is green.")]
    assert extract_prompt(chosen, rejected) == ([user(SKY)], [assistant("It is blue.")], [assistant("It is green.")])


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_is_conversational_agrees_with_the_guides_labels(name):
    records, _ = EXAMPLES[name]
    conversational = "conversational" in name or name.startswith(("tool_calling", "harmony"))
    assert [is_conversational(record) for record in records] == [conversational] * len(records)


@settings(max_examples=200)
@given(
    st.one_of(
        st.tuples(st.text(alphabet="ab ", max_size=8), st.text(alphabet="ab ", max_size=8)),
        st.tuples(
            st.lists(st.sampled_from([user("a"), assistant("b")]), max_size=4),
            st.lists(st.sampled_from([user("a"), assistant("c")]), max_size=4),
        ),
    )
)
def test_extract_prompt_is_a_common_prefix_and_the_rests(pair):
    chosen, rejected = pair
    prompt, good, bad = extract_prompt(chosen, rejected)
    assert prompt + good == chosen and prompt + bad == rejected
    if good and bad and good[0] == bad[0]:  # only TRL's space rule leaves a shared first item: one space
        assert isinstance(good, str) and good[0] == " " and good[1:2] != bad[1:2]


TRL_KEYS = ["text", "messages", "prompt", "completion", "completions", "chosen", "rejected", "label", "labels", "tools"]
MESSAGE_KEYS = ["role", "content", "thinking", "tool_calls", "name", "function", "arguments", "type"]
values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-1, 2)
    | st.sampled_from(["user", "assistant", "developer", "tool", " ", "x", "[]"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(MESSAGE_KEYS), inner, max_size=4),
    max_leaves=16,
)


@pytest.mark.parametrize("target", TARGETS)
@settings(max_examples=150)
@given(record=st.dictionaries(st.sampled_from(TRL_KEYS), values, max_size=4))
def test_trl_rules_never_raise(target, record):
    form_of(record)
    assert all(finding.code and finding.message for finding in get_target(target).semantic_checks(record))
