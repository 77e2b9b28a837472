"""LLM-judged preference pairs against a real loopback HTTP server (tests/llm_server.py)."""

import json
import logging
import re

import llm_server
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from llm_server import LLMServer, Step, leaked_anywhere
from polars.testing import assert_frame_equal

from pipeline.checks.jsonschemas import load_schema
from pipeline.config import JudgeConfig, LLMConfig
from pipeline.generate.judge import judge_preferences
from pipeline.generate.judge_requests import parse_candidates, parse_verdict
from pipeline.generate.llm import wire_schema
from pipeline.generate.llm_client import MalformedReply
from pipeline.records import EXAMPLE, REJECTED, stable_id
from pipeline.sections import split_sections

KEY = "sk-test-judge-0123456789SECRET"
SYSTEM = "You are Brightwater's assistant."
TOPICS = ["defrost", "warranty", "noise", "filters", "tariffs", "sizing"]
UNGROUNDED = "Quantum chromodynamics describes how gluons bind quarks inside protons and neutrons."


def document(count: int) -> str:
    parts = ["# Heat pump guide\n"]
    for index, topic in enumerate(TOPICS[:count]):
        parts.append(
            f"## Section {index} on {topic}\n\n"
            f"The {topic} setting of model HP-{index} is adjusted in the Brightwater app. "
            f"Installers check the {topic} behaviour during commissioning of unit {index}. "
            f"Owners can read the {topic} history for the last {index + 2} weeks.\n"
        )
    return "\n".join(parts)


def sections_of(text: str) -> pl.DataFrame:
    documents = pl.DataFrame(
        {"doc_id": ["d1"], "source": ["guide.md"], "format": ["md"], "title": ["Heat pump guide"], "text": [text]}
    )
    return split_sections(documents).filter(pl.col("heading") != "Heat pump guide")


def example(drawn_from: dict, question: str, answer: str, **overrides: object) -> dict:
    """A grounded SFT example whose answer is quoted from the section body."""
    start = drawn_from["body_start"] + drawn_from["body"].index(answer)
    messages = [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
    row = {"kind": "sft", "task": "heading", "system": SYSTEM, "messages": messages, "doc_id": drawn_from["doc_id"]}
    row |= {"source": drawn_from["source"], "section": drawn_from["section"], "span_start": start}
    row |= {"span_end": start + len(answer), "generator": "heading"}
    row = row | overrides
    return row | {"id": stable_id("sft", row["task"], row["messages"], row["section"], row["span_start"])}


def examples_of(sections: pl.DataFrame) -> pl.DataFrame:
    rows = [
        example(section, f"Where is the {section['heading'].split()[-1]} setting adjusted?", first_sentence(section))
        for section in sections.to_dicts()
    ]
    return pl.DataFrame(rows, schema=EXAMPLE)


def first_sentence(section: dict) -> str:
    return section["body"].split(". ")[0] + "."


def config(server: LLMServer, **overrides: object) -> LLMConfig:
    values: dict = {"enabled": True, "base_url": server.url, "model": "test-model", "max_retries": 2}
    return LLMConfig(**{**values, "timeout_seconds": 5.0, "concurrency": 2, **overrides})


@pytest.fixture
def server():
    running = LLMServer().start()
    yield running
    running.stop()


def run(server, tmp_path, count=2, examples=None, sections=None, api_key=None, judge=None, **overrides):
    sections = sections if sections is not None else sections_of(document(count))
    examples = examples if examples is not None else examples_of(sections)
    judge = judge or JudgeConfig(enabled=True, candidates=3)
    return judge_preferences(examples, sections, config(server, **overrides), judge, api_key, tmp_path / "cache")


def test_pairs_are_best_against_worst_with_the_principles_in_the_rationale(server, tmp_path):
    server.verdict = llm_server.scores(6, 9, 3, 3)  # candidate 0 is the extracted answer
    sections = sections_of(document(2))
    examples = examples_of(sections)
    result = run(server, tmp_path, sections=sections, examples=examples)
    assert result.kept.schema == EXAMPLE and result.rejected.schema == REJECTED
    assert result.kept.height == 2 and result.rejected.height == 0 and server.count == 4
    principles = JudgeConfig().principles
    for row, source, section in zip(result.kept.to_dicts(), examples.to_dicts(), sections.to_dicts(), strict=True):
        words = section["body"].split()
        assert row["chosen"] == " ".join(words)  # candidate 1: the whole passage
        assert row["rejected"] == " ".join(words[: -(-len(words) * 2 // 3)])  # candidate 2, the first of the two 3s
        assert json.loads(row["rationale"]) == {
            "principles": principles,
            "scores": {"chosen": 9, "rejected": 3},
            "reasons": {"chosen": "reason 1", "rejected": "reason 2"},
        }
        assert row["messages"] == source["messages"][:1] and row["system"] == SYSTEM
        assert (row["kind"], row["negative"], row["generator"], row["task"]) == (
            "preference",
            "llm_judge",
            "llm-judge:test-model",
            "heading",
        )
        assert row["label"] is None
        same = ("doc_id", "source", "section", "span_start", "span_end")
        assert [row[name] for name in same] == [source[name] for name in same]
        parts = (SYSTEM, row["messages"], row["chosen"], row["rejected"], "guide.md", row["section"])
        assert row["id"] == stable_id("preference", "llm_judge", *parts)
    assert result.usage == {
        "requests": 4,
        "cache_hits": 0,
        "prompt_tokens": result.usage["prompt_tokens"],
        "completion_tokens": result.usage["completion_tokens"],
        "cost_usd": 0.0,
        "failed_sections": 0,
        "budget_exhausted": False,
    }


def test_the_prompts_ask_for_varied_candidates_and_number_the_principles(server, tmp_path):
    judge = JudgeConfig(candidates=3, principles=["Be right.", "Be brief."])
    run(server, tmp_path, count=1, judge=judge, temperature=0.5, max_tokens=400)
    asked, judged = server.requests
    system, user = (message["content"] for message in asked["messages"])
    assert "exactly 3 different answers" in system and "completeness" in system
    assert f"Assistant instructions: {SYSTEM}" in user and "Section: Heat pump guide > Section 0 on defrost" in user
    assert "<question>\nWhere is the defrost setting adjusted?\n</question>" in user
    assert (asked["model"], asked["temperature"], asked["max_tokens"]) == ("test-model", 0.5, 400)
    system, user = (message["content"] for message in judged["messages"])
    assert "1. Be right.\n2. Be brief.\n" in system and "each of the 4 candidates" in system
    reference = (
        '<candidate index="0">\nThe defrost setting of model HP-0 is adjusted in the Brightwater app.\n</candidate>'
    )
    assert reference in user and '<candidate index="3">' in user and "<passage>\nThe defrost setting" in user
    for sent, name in ((asked, "llm-candidates"), (judged, "llm-judge")):
        wire = {"name": name.replace("-", "_"), "schema": wire_schema(load_schema(name)), "strict": True}
        assert sent["response_format"] == {"type": "json_schema", "json_schema": wire}


def test_a_repeated_heading_path_uses_the_section_that_holds_the_span(server, tmp_path):
    text = "# Guide\n\n## FAQ\n\nThe first FAQ covers the defrost cycle.\n\n## FAQ\n\nThe second FAQ covers filter cleaning monthly.\n"
    sections = sections_of(text).filter(pl.col("heading") == "FAQ")
    second = sections.row(1, named=True)
    examples = pl.DataFrame(
        [example(second, "How often?", "The second FAQ covers filter cleaning monthly.")], schema=EXAMPLE
    )
    run(server, tmp_path, sections=sections, examples=examples)
    assert "<passage>\nThe second FAQ" in server.requests[0]["messages"][1]["content"]


@pytest.mark.parametrize(
    ("values", "min_margin", "reason"),
    [
        ((5, 5, 5, 5), 1.0, "tie"),
        ((5, 5.5, 5, 5), 1.0, "tie"),
        ((5, 5, 5, 5), 0.0, "tie"),  # best and worst would be the same candidate
        ((5.3, 6.3, 5.3, 5.3), 1.0, None),  # 6.3 - 5.3 is 0.999... in floats: still a margin of 1
        ((5, 5.5, 5, 5), 0.5, None),
    ],
)
def test_scores_too_close_to_call_are_rejected_as_a_tie(server, tmp_path, values, min_margin, reason):
    server.verdict = llm_server.scores(*values)
    result = run(server, tmp_path, count=1, judge=JudgeConfig(candidates=3, min_margin=min_margin))
    assert result.rejected["reject_reason"].to_list() == ([reason] if reason else [])
    assert result.kept.height == (0 if reason else 1)
    if reason:
        row = result.rejected.row(0, named=True)
        assert row["chosen"] and row["rejected"]
        scored = ",".join(f'"{index}":{value}' for index, value in enumerate(values))
        assert f"scores {{{scored}}}" in row["reject_detail"] and "judge.min_margin=" in row["reject_detail"]


@pytest.mark.parametrize(
    ("where", "reply", "detail"),
    [
        ("verdict", "I cannot judge that.", "reply is not JSON: Expecting value at char 0"),
        (
            "verdict",
            json.dumps({"scores": [{"candidate": 0, "score": 5, "reason": "ok"}]}),
            "candidate(s) 1, 2, 3 not scored",
        ),
        ("candidates", json.dumps({"candidates": ["Only one."]}), "candidates: 1 answer(s) where 3 were asked for"),
    ],
)
def test_malformed_output_is_retried_then_quarantined(server, tmp_path, where, reply, detail):
    setattr(server, where, lambda *args: reply)
    result = run(server, tmp_path, count=1, max_retries=2)
    assert server.count == (1 if where == "verdict" else 0) + 3
    assert result.kept.height == 0
    row = result.rejected.row(0, named=True)
    assert (row["reject_reason"], row["kind"], row["negative"]) == ("llm_malformed", "preference", "llm_judge")
    assert detail in row["reject_detail"] and "after 3 attempt(s)" in row["reject_detail"]
    assert row["messages"] == [{"role": "user", "content": "Where is the defrost setting adjusted?"}]
    assert row["chosen"] is None and result.usage["failed_sections"] == 1
    assert detail.split(":")[0] in server.requests[-1]["messages"][3]["content"]  # the repair names the problem
    assert len(list((tmp_path / "cache").rglob("*.json"))) == (1 if where == "verdict" else 0)


def test_a_malformed_reply_followed_by_a_valid_one_succeeds(server, tmp_path):
    server.script.extend([Step(content="not json"), Step(content='{"scores": []}')])  # candidates, then verdict
    result = run(server, tmp_path, count=1, concurrency=1)
    assert server.count == 4 and result.kept.height == 1 and result.rejected.height == 0


@pytest.mark.parametrize(
    ("reply", "detail"),
    [
        (
            '{"scores": [{"candidate": 0, "score": 11, "reason": "x"}]}',
            "scores[0].score: 11 is greater than the maximum of 10",
        ),
        (
            '{"scores": [{"candidate": 0, "score": 5, "reason": "x"}, {"candidate": 0, "score": 4, "reason": "y"}]}',
            "scores[1].candidate: candidate 0 is scored twice",
        ),
        (
            '{"scores": [{"candidate": 2, "score": 5, "reason": "x"}]}',
            "scores[0].candidate: 2 is not a candidate (0-1)",
        ),
        ('{"scores": [{"candidate": 0, "score": 5}]}', "scores[0]: 'reason' is a required property"),
        ('{"scores": [{"candidate": 0, "score": 5, "reason": "x"}]}', "candidate(s) 1 not scored"),
    ],
)
def test_parse_verdict_names_what_is_wrong(reply, detail):
    with pytest.raises(MalformedReply) as caught:
        parse_verdict(reply, count=2)
    assert detail in str(caught.value)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ('```json\n{"candidates": [" A. ", "B", "C"]}\n```', ["A.", "B", "C"]),
        ('["A", "B", "C"]', ["A", "B", "C"]),
        ('{"candidates": ["A", "a", "C"]}', "candidates[1] repeats candidates[0]"),
        ('{"candidates": ["A", "  ", "C"]}', "candidates[1] is blank"),
        ('{"candidates": ["A", "B"]}', "candidates: 2 answer(s) where 3 were asked for"),
        ('{"candidates": ["A", "B", "C", "D"]}', ["A", "B", "C"]),
    ],
)
def test_parse_candidates(reply, expected):
    if isinstance(expected, list):
        assert parse_candidates(reply, count=3) == expected
        return
    with pytest.raises(MalformedReply, match=re.escape(expected)):
        parse_candidates(reply, count=3)


@given(st.text() | st.binary().map(lambda raw: raw.decode("utf-8", "replace")))
def test_parsers_never_raise_anything_but_malformed_reply(reply):
    for parse in (lambda text: parse_candidates(text, count=2), lambda text: parse_verdict(text, count=2)):
        try:
            parse(reply)
        except MalformedReply as error:
            assert str(error)


def test_a_chosen_answer_the_passage_does_not_back_is_rejected_unsupported(server, tmp_path):
    server.candidates = lambda passage, question, count: json.dumps({"candidates": [UNGROUNDED, "Yes.", "No."]})
    server.verdict = llm_server.scores(5, 9, 2, 3)
    result = run(server, tmp_path, count=1)
    assert result.kept.height == 0
    row = result.rejected.row(0, named=True)
    assert row["reject_reason"] == "unsupported" and row["reject_detail"].startswith("support 0.00 < 0.60")
    assert (row["chosen"], row["rejected"]) == (UNGROUNDED, "Yes.")
    assert json.loads(row["rationale"])["scores"] == {"chosen": 9, "rejected": 2}


def test_a_second_run_with_the_same_inputs_makes_no_requests(server, tmp_path):
    first = run(server, tmp_path)
    assert server.count == 4
    second = run(server, tmp_path)
    assert server.count == 4
    assert_frame_equal(first.kept, second.kept)
    assert_frame_equal(first.rejected, second.rejected)
    assert second.usage["requests"] == 0 and second.usage["cache_hits"] == 4 and second.usage["prompt_tokens"] == 0
    run(server, tmp_path, judge=JudgeConfig(candidates=3, principles=["Be right."]))
    assert server.count == 6  # new principles: new verdicts, the same candidates
    run(server, tmp_path, judge=JudgeConfig(candidates=3, prompt_version="judge-v2"))
    assert server.count == 10


def test_an_exhausted_budget_rejects_the_remaining_examples(server, tmp_path):
    result = run(server, tmp_path, count=3, max_requests=3, concurrency=1)
    assert server.count == 3 and result.usage["requests"] == 3 and result.usage["budget_exhausted"] is True
    assert result.kept["section"].to_list() == ["Heat pump guide > Section 0 on defrost"]
    assert result.rejected["reject_reason"].to_list() == ["llm_budget_exhausted"] * 2
    assert "llm.max_requests=3 reached" in result.rejected["reject_detail"][0]


def test_the_api_key_never_leaves_the_authorization_header(server, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    good = run(server, tmp_path, api_key=KEY)
    server.script.append(Step(status=401, body='{"error": "bad key {auth}"}'))  # a server that echoes the key
    server.verdict = lambda *args: "not json"
    bad = run(server, tmp_path / "other", api_key=KEY, max_retries=0)
    assert set(server.authorization) == {f"Bearer {KEY}"}
    assert set(bad.rejected["reject_reason"]) == {"llm_request_failed", "llm_malformed"}
    assert "[redacted]" in bad.rejected.filter(pl.col("reject_reason") == "llm_request_failed")["reject_detail"][0]
    assert good.kept.height == 2 and caplog.records
    assert leaked_anywhere(KEY, [good, bad], tmp_path, caplog) == []


def test_no_examples_no_requests(server, tmp_path):
    result = run(server, tmp_path, examples=pl.DataFrame(schema=EXAMPLE))
    assert (result.kept.schema, result.rejected.schema) == (EXAMPLE, REJECTED)
    assert result.kept.height == result.rejected.height == server.count == 0


def test_every_input_example_ends_kept_or_rejected_once(server, tmp_path):
    def candidates(passage: str, question: str, count: int) -> str:
        if "filters" in passage:
            return json.dumps({"candidates": [UNGROUNDED, "Yes.", "No."]})
        return llm_server.varied(passage, question, count)

    def verdict(passage: str, question: str, answers: list[str]) -> str:
        if "warranty" in passage:
            return llm_server.scores(4, 4, 4, 4)(passage, question, answers)
        if "noise" in passage:
            return "no verdict"
        if "filters" in passage:
            return llm_server.scores(5, 9, 2, 3)(passage, question, answers)
        return llm_server.by_length(passage, question, answers)

    server.candidates, server.verdict = candidates, verdict
    sections = sections_of(document(6))
    first = sections.row(0, named=True)
    odd = [
        example(
            first,
            "And later?",
            "Owners can read the defrost history for the last 2 weeks.",
            section="Heat pump guide > Gone",
        ),
        example(first, "Two turns?", "Installers check the defrost behaviour during commissioning of unit 0.")
        | {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}] * 2},
    ]
    examples = pl.concat([examples_of(sections), pl.DataFrame(odd, schema=EXAMPLE)])
    result = run(server, tmp_path, sections=sections, examples=examples, max_retries=1, max_requests=10, concurrency=1)
    assert result.kept.height + result.rejected.height == examples.height
    by_question = dict(
        zip(
            result.rejected["messages"].list.first().struct.field("content"),
            result.rejected["reject_reason"],
            strict=True,
        )
    )
    assert by_question == {
        "Where is the warranty setting adjusted?": "tie",
        "Where is the noise setting adjusted?": "llm_malformed",
        "Where is the filters setting adjusted?": "unsupported",
        "Where is the tariffs setting adjusted?": "llm_budget_exhausted",
        "Where is the sizing setting adjusted?": "llm_budget_exhausted",
        "And later?": "no_section",
        "Hi": "not_single_turn",
    }
    assert result.kept["messages"].list.first().struct.field("content").to_list() == [
        "Where is the defrost setting adjusted?"
    ]
    outputs = pl.concat([result.kept.select("source", "section"), result.rejected.select("source", "section")])
    assert outputs.sort("section").equals(examples.select("source", "section").sort("section"))
    assert result.usage["requests"] == server.count == 10 and result.usage["budget_exhausted"] is True
    assert result.kept["id"].is_unique().all() and result.rejected["id"].is_unique().all()
