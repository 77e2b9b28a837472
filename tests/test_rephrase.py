"""LLM rephrasing of template questions (generate.rephrase = "llm") against the loopback test server."""

import json
from pathlib import Path

import polars as pl
import pytest
from llm_server import LLMServer, Step
from polars.testing import assert_frame_equal

from pipeline.apply import runs
from pipeline.checks.jsonschemas import load_schema, validator
from pipeline.config import GenerateConfig, LLMConfig, PrepareConfig
from pipeline.errors import ConfigError
from pipeline.executor import execute
from pipeline.generate.extractive import generate_extractive
from pipeline.generate.llm import wire_schema
from pipeline.generate.rephrase import check_rewrite, parse_question, rephrase_prompts
from pipeline.preflight import preflight
from pipeline.records import EXAMPLE
from pipeline.sections import split_sections
from pipeline.stages import SHARD_STAGES, STAGES
from pipeline.state import merge_usage

HERE = Path(__file__).resolve().parent
MINI = HERE / "data" / "mini"
GOLDEN = HERE / "golden" / "mini"
HANDBOOK = """# Staff handbook

## Remote work stipend

Employees who work from home at least three days a week receive a remote work stipend of 500 euros per year, \
paid with the January salary. The stipend covers a desk, a chair and a monitor. Receipts are not needed, \
and part-time staff receive it in proportion to the hours in their contract, rounded up to the nearest euro.

## Glossary

**Hot desk**: a desk that any employee can book for a day in the office app.

## Laptop prices

| Model | Price |
|---|---|
| Basic | 900 euros |
| Pro | 1400 euros |

## Support call

Customer: My laptop will not start after the update.
Agent: Hold the power button for ten seconds, then start it again.
Customer: That worked, thank you.
Agent: Glad to help. The update finishes on the next start.
"""
STIPEND_QUESTION = "Can you tell me about the remote work stipend?"
STIPEND = (
    "Employees who work from home at least three days a week receive a remote work stipend of 500 euros per year, "
    "paid with the January salary. The stipend covers a desk, a chair and a monitor. Receipts are not needed, "
    "and part-time staff receive it in proportion to the hours in their contract, rounded up to the nearest euro."
)
IMPORTED = {
    "id": "0" * 20, "kind": "sft", "task": "imported", "source": "data.jsonl:1", "doc_id": "i1",
    "messages": [{"role": "user", "content": "Explain VAT."}, {"role": "assistant", "content": "A tax on sales."}],
    "generator": "import:alpaca",
}  # fmt: skip


def handbook() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Real-shaped examples (heading, glossary, two table rows, a multi-turn dialogue, an import) and sections."""
    documents = pl.DataFrame(
        {"doc_id": ["d1"], "source": ["handbook.md"], "format": ["md"], "title": ["Staff handbook"], "text": [HANDBOOK]}
    )
    sections = split_sections(documents)
    made = generate_extractive(sections, GenerateConfig()).kept
    examples = pl.concat([made, pl.DataFrame([IMPORTED], schema=EXAMPLE)], how="diagonal_relaxed")
    return examples, sections


def config(server: LLMServer, **overrides: object) -> LLMConfig:
    values: dict = {"base_url": server.url, "model": "test-model", "max_retries": 1, "timeout_seconds": 5.0}
    return LLMConfig(**{**values, **overrides})


def run(server, tmp_path, spent=None, **overrides):
    examples, sections = handbook()
    result = rephrase_prompts(examples, sections, config(server, **overrides), None, tmp_path / "cache", spent)
    return examples, result


def prompts(frame: pl.DataFrame) -> list[str]:
    return [messages[0]["content"] for messages in frame["messages"].to_list()]


def test_rewrites_replace_the_question_and_nothing_else(server, tmp_path):
    before, result = run(server, tmp_path)
    after = result.examples
    assert after.schema == before.schema and after.height == before.height
    assert server.count == 4  # heading, glossary, two table rows; not the dialogue, not the import
    assert prompts(after) == [
        "Quick question — can you tell me about the remote work stipend?",
        "Quick question — what does hot desk mean?",
        "Quick question — what is the price of the Basic model?",
        "Quick question — what is the price for the Pro model?",
        "My laptop will not start after the update.",
        "Explain VAT.",
    ]
    for old, new in zip(before.iter_rows(named=True), after.iter_rows(named=True), strict=True):
        assert new["messages"][1:] == old["messages"][1:]  # every answer (and later turn) byte-identical
        assert (new["span_start"], new["span_end"], new["section"]) == (
            old["span_start"],
            old["span_end"],
            old["section"],
        )
        if new["messages"][0] != old["messages"][0]:
            assert new["generator"] == f"{old['generator']}+rephrased:test-model" and new["id"] != old["id"]
        else:
            assert (new["generator"], new["id"]) == (old["generator"], old["id"])
    assert after["id"].is_unique().all()
    assert result.usage == {
        "requests": 4, "cache_hits": 0, "prompt_tokens": result.usage["prompt_tokens"],
        "completion_tokens": result.usage["completion_tokens"], "cost_usd": 0.0, "failed_sections": 0,
        "budget_exhausted": False, "rephrased": 4, "rephrase_fallback": 0, "rephrase_fallback_reasons": {},
    }  # fmt: skip


def test_the_request_holds_the_question_answer_heading_path_and_title(server, tmp_path):
    run(server, tmp_path, temperature=0.7)
    sent = next(sent for sent in server.requests if "stipend" in json.dumps(sent))
    system, user = sent["messages"][0]["content"], sent["messages"][1]["content"]
    assert "Do not put the answer" in system and '{"question": "..."}' in system
    assert user == (
        f"Document: Staff handbook\nSection: Staff handbook > Remote work stipend\n\n"
        f"<question>\n{STIPEND_QUESTION}\n</question>\n\n<answer>\n{STIPEND}\n</answer>"
    )
    assert (sent["model"], sent["temperature"]) == ("test-model", 0.7)
    assert sent["response_format"]["json_schema"]["schema"] == wire_schema(load_schema("llm-rephrase"))


@pytest.mark.parametrize(
    "reply",
    [
        '{"question": "Who gets it?"}',
        '```json\n{"question": "Who gets it?"}\n```',
        'Sure: {"question": "Who gets it?"}',
    ],
)
def test_replies_are_parsed_leniently(reply):
    assert parse_question(reply) == "Who gets it?"


GOOD = "Who gets the remote work stipend, and what can it be spent on?"


@pytest.mark.parametrize(
    ("rewrite", "reason"),
    [
        (GOOD, None),
        (f'"{GOOD}"', None),  # quotes around the whole rewrite are dropped
        ("Tell me how the stipends for remote work are paid.", None),  # a request; the plural still names it
        ("Is the remote work stipend 500 euros per year, paid with the January salary?", "contains_answer"),
        (
            "Do remote workers at home three days a week receive 500 euros a year in January for a desk, chair "
            "and monitor?",
            "contains_answer",  # no six-word run, but 12 of the answer's 20 content words are new
        ),
        ("How much is it and when is it paid?", "no_subject"),
        ("What should I know about it?", "no_subject"),  # template words are not the subject
        ("The remote work stipend for people at home.", "not_a_question"),
        ("What is the remote work stipend? And who gets it?", "not_a_question"),
        ("<b>What</b> is the remote work stipend?", "markup"),
        ("What is the {{ topic }} about?", "markup"),
        ("What is the {topic}?", "markup"),
        ("Question: what is the remote work stipend?", "markup"),
        ("What is the **remote work stipend**?", "markup"),
        ("What is the remote work stipend?\nWho gets it?", "markup"),
        ("Stipend?", "too_short"),
        ("What " + "really " * 60 + "is the remote work stipend?", "too_long"),
        (STIPEND_QUESTION, "unchanged"),
    ],
)
def test_each_check(rewrite, reason):
    from pipeline.generate.rephrase import unquoted

    first_two_sentences = STIPEND.split(" Receipts")[0]  # the answer the shares in the comments are counted on
    failed = check_rewrite(
        unquoted(rewrite), STIPEND_QUESTION, first_two_sentences, "Remote work stipend", "Staff handbook"
    )
    assert (failed[0] if failed else None) == reason


@pytest.mark.parametrize(
    ("question", "answer", "rewrite", "reason"),
    [
        ("What is the price for Basic?", "900 euros", "How much does the Basic laptop cost?", None),
        ("What is the price for Basic?", "900 euros", "Is the Basic laptop 900 euros?", "contains_answer"),
        ("Define Hot desk.", "a desk that any employee can book for a day in the office app.",
         "What is a hot desk and how do I book one?", None),
        ("Does the warranty transfer?", "Yes.", "Can a new owner keep the warranty, yes or no?", None),
    ],
)  # fmt: skip
def test_short_answers_leak_only_when_the_rewrite_contains_all_of_them(question, answer, rewrite, reason):
    heading = "Laptop prices" if "price" in question else "Glossary"
    failed = check_rewrite(rewrite, question, answer, heading, "Staff handbook")
    assert (failed[0] if failed else None) == reason


@pytest.mark.parametrize(
    ("rewrite", "reason"),
    [
        ("Is the remote work stipend 500 euros per year, paid with the January salary?", "contains_answer"),
        ("How much is it and when is it paid?", "no_subject"),
        ("The remote work stipend for people at home.", "not_a_question"),
        ("<p>What is the remote work stipend?</p>", "markup"),
    ],
)
def test_a_rewrite_that_fails_a_check_keeps_the_template_question(server, tmp_path, rewrite, reason):
    def reply(question: str, answer: str, user: str) -> str:
        return json.dumps({"question": rewrite if "stipend" in question else f"Could you tell me: {question}"})

    server.rephrase = reply
    before, result = run(server, tmp_path)
    stipend = result.examples.row(0, named=True)
    assert stipend["messages"] == before.row(0, named=True)["messages"]  # not rejected: the template stays
    assert stipend["generator"] == "extractive:heading" and stipend["id"] == before["id"][0]
    assert result.usage["rephrased"] == 3 and result.usage["rephrase_fallback"] == 1
    assert result.usage["rephrase_fallback_reasons"] == {reason: 1}


def test_a_second_run_is_served_from_the_cache(server, tmp_path):
    _, first = run(server, tmp_path)
    _, second = run(server, tmp_path)
    assert server.count == 4
    assert_frame_equal(first.examples, second.examples)
    assert second.usage["requests"] == 0 and second.usage["cache_hits"] == 4 and second.usage["prompt_tokens"] == 0
    run(server, tmp_path, rephrase_prompt_version="rephrase-v2")  # a new prompt version asks again
    assert server.count == 8


def test_the_budget_caps_requests_and_the_rest_keep_their_template(server, tmp_path):
    before, result = run(server, tmp_path, max_requests=1, concurrency=4)
    assert server.count == 1 and result.usage["requests"] == 1 and result.usage["budget_exhausted"] is True
    assert result.usage["rephrase_fallback_reasons"] == {"llm_budget_exhausted": 3}
    # Requests go in (source, section, span) order whatever the frame's order: the glossary section comes first.
    changed = [new != old for new, old in zip(prompts(result.examples), prompts(before), strict=True)]
    assert changed == [False, True, False, False, False, False]


def test_what_the_run_already_spent_counts_against_the_budget(server, tmp_path):
    generation = {"requests": 9, "cost_usd": 0.0, "budget_exhausted": False}
    _, result = run(server, tmp_path, spent=generation, max_requests=10, concurrency=1)
    assert server.count == 1 and result.usage["requests"] == 1
    assert result.usage["rephrase_fallback_reasons"] == {"llm_budget_exhausted": 3}


def test_server_errors_fall_back_without_failing_the_run(server, tmp_path):
    server.script.extend([Step(status=500), Step(status=500), Step(status=400)])
    server.script.append(Step(content="I would rather not."))
    server.script.append(Step(content="Still no JSON."))
    before, result = run(server, tmp_path, max_retries=1, concurrency=1)
    # In request order: the glossary gets 500 twice (one retry), Basic a 400 (not retried), Pro two malformed
    # replies, and the stipend the only answer.
    assert server.count == 6
    assert result.usage["rephrase_fallback_reasons"] == {"llm_malformed": 1, "llm_request_failed": 2}
    changed = [new != old for new, old in zip(prompts(result.examples), prompts(before), strict=True)]
    assert changed == [True, False, False, False, False, False] and result.usage["rephrased"] == 1
    assert not [path for path in (tmp_path / "cache").rglob("*.json")][1:]  # only the one good reply is cached


def test_merge_usage_adds_generation_and_rephrasing():
    generation = {"requests": 3, "cache_hits": 1, "cost_usd": 0.5, "budget_exhausted": False, "failed_sections": 1}
    rephrasing = {"requests": 2, "cache_hits": 0, "cost_usd": 0.25, "budget_exhausted": True, "failed_sections": 0,
                  "rephrased": 4, "rephrase_fallback": 1, "rephrase_fallback_reasons": {"markup": 1}}  # fmt: skip
    merged = merge_usage(generation, rephrasing)
    assert merged == {**rephrasing, "requests": 5, "cache_hits": 1, "cost_usd": 0.75, "failed_sections": 1}
    again = merge_usage(merged, {**rephrasing, "rephrase_fallback_reasons": {"markup": 2, "unchanged": 1}})
    assert again["rephrase_fallback_reasons"] == {"markup": 3, "unchanged": 1}


def test_the_stage_follows_ground_and_runs_only_when_asked():
    names = [stage.name for stage in STAGES]
    assert names[names.index("ground") + 1] == "rephrase-prompts"
    stage = STAGES[names.index("rephrase-prompts")]
    assert (stage.scope, stage.step, stage.reads, stage.whole_input) == ("shard", "generate", ("generate", "llm"), True)
    assert stage in SHARD_STAGES
    assert not runs(stage, PrepareConfig()) and PrepareConfig().generate.rephrase == "off"
    assert runs(stage, PrepareConfig(generate={"rephrase": "llm"}))


@pytest.mark.parametrize(
    ("llm", "message"),
    [({}, r"generate\.rephrase = 'llm' needs an LLM endpoint: set llm\.model"),
     ({"model": "m", "base_url": "localhost:8000/v1"}, r"llm\.base_url")],
)  # fmt: skip
def test_preflight_needs_an_endpoint(tmp_path, llm, message):
    cfg = PrepareConfig(sources=[str(MINI)], out=str(tmp_path / "out"), generate={"rephrase": "llm"}, llm=llm)
    with pytest.raises(ConfigError, match=message):
        preflight(cfg)
    assert not (tmp_path / "out").exists()  # before any work


def mini(server: LLMServer, tmp_path: Path, name: str, **llm: object) -> PrepareConfig:
    return PrepareConfig(
        sources=[str(MINI)],
        out=str(tmp_path / name),
        generate={"system_prompt": "Be helpful.", "rephrase": "llm"},
        split={"validation_ratio": 0.3},  # the golden run's settings (tests/test_export.py)
        llm={"base_url": server.url, "model": "test-model", "cache_dir": str(tmp_path / "cache"), **llm},
    )


def conversations(folder: Path) -> list[list[dict]]:
    lines = [line for name in ("train.jsonl", "validation.jsonl") for line in (folder / name).read_text().splitlines()]
    return [json.loads(line)["messages"] for line in lines]


def test_a_prepare_run_rephrases_prompts_and_reports_it(server, tmp_path):
    report = execute(mini(server, tmp_path, "run"))  # llm.enabled stays off: rephrasing needs only the endpoint
    out = tmp_path / "run"
    made, golden = conversations(out), conversations(GOLDEN)
    assert sorted(turns[2]["content"] for turns in made) == sorted(turns[2]["content"] for turns in golden)
    asked = {turns[1]["content"] for turns in made}
    assert "Quick question — what should I know about the defrost cycle?" in asked
    assert "What should I know about the defrost cycle?" not in asked
    usage = report["llm"]
    assert usage["rephrased"] == usage["requests"] == server.count > 0 and usage["rephrase_fallback"] == 0
    assert not list(validator("report").iter_errors(json.loads((out / "report.json").read_text())))
    assert "| prompts rephrased |" in (out / "report.md").read_text()
    generators = pl.read_parquet(out / "hf" / "data" / "*.parquet")["generator"]
    assert generators.str.ends_with("+rephrased:test-model").any()
    assert report["ledger"]["examples"]["generated"] == sum(1 for _ in made) + report["ledger"]["examples"]["rejected"]


def test_generation_and_rephrasing_share_the_usage_and_the_budget(server, tmp_path):
    report = execute(mini(server, tmp_path, "both", enabled=True, min_section_chars=60))
    usage = report["llm"]
    assert usage["requests"] == server.count and usage["rephrased"] > 0
    generated = [turns for turns in conversations(tmp_path / "both") if "guide say about" in turns[1]["content"]]
    assert generated  # LLM-written pairs keep their own questions: only extractive ones are rephrased
