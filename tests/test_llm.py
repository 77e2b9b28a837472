"""LLM question-answer generation against a real loopback HTTP server (tests/llm_server.py)."""

import email.utils
import json
import logging
import socket
import time

import httpx
import llm_server
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from llm_server import LLMServer, Step, leaked_anywhere
from polars.testing import assert_frame_equal

from pipeline.checks.jsonschemas import load_schema
from pipeline.config import LLMConfig
from pipeline.errors import ConfigError
from pipeline.generate.llm import generate_with_llm, parse_pairs, wire_schema
from pipeline.generate.llm_client import MalformedReply, retry_after_seconds
from pipeline.records import EXAMPLE, REJECTED, stable_id
from pipeline.sections import split_sections

KEY = "sk-test-0123456789abcdefSECRET"
TOPICS = ["defrost", "warranty", "noise", "filters", "tariffs", "sizing", "radiators", "controls"]


def document(count: int, short: int = 0) -> str:
    """A markdown guide with `count` long sections and `short` sections too short to send."""
    parts = ["# Heat pump guide\n"]
    for index, topic in enumerate(TOPICS[:count]):
        parts.append(
            f"## Section {index} on {topic}\n\n"
            f"The {topic} setting of model HP-{index} is adjusted in the Brightwater app. "
            f"Installers check the {topic} behaviour during commissioning of unit {index}. "
            f"Owners can read the {topic} history for the last {index + 2} weeks.\n"
        )
    parts.extend(f"## Note {index}\n\nSee the app.\n" for index in range(short))
    return "\n".join(parts)


def sections_of(text: str) -> pl.DataFrame:
    documents = pl.DataFrame(
        {"doc_id": ["d1"], "source": ["guide.md"], "format": ["md"], "title": ["Heat pump guide"], "text": [text]}
    )
    return split_sections(documents).filter(pl.col("heading") != "Heat pump guide")


def config(server: LLMServer, **overrides: object) -> LLMConfig:
    values: dict = {
        "enabled": True,
        "base_url": server.url,
        "model": "test-model",
        "questions_per_section": 2,
        "min_section_chars": 80,
        "max_retries": 2,
        "timeout_seconds": 5.0,
        "concurrency": 2,
    }
    return LLMConfig(**{**values, **overrides})


def run(
    server, tmp_path, count=3, text=None, api_key=None, system_prompt="You are Brightwater's assistant.", **overrides
):
    cfg = config(server, **overrides)
    return generate_with_llm(sections_of(text or document(count)), cfg, system_prompt, api_key, tmp_path / "cache")


def test_valid_pairs_become_grounded_examples_with_spans(server, tmp_path):
    text = document(3)
    result = run(server, tmp_path, text=text)
    kept = result.kept
    assert kept.schema == EXAMPLE
    assert result.rejected.schema == REJECTED and result.rejected.height == 0
    assert kept.height == 6 and server.count == 3
    assert kept["task"].unique().to_list() == ["llm_qa"]
    assert kept["generator"].unique().to_list() == ["llm:test-model"]
    assert kept["system"].unique().to_list() == ["You are Brightwater's assistant."]
    assert kept["section"].to_list() == sorted(kept["section"].to_list())
    starts = {section: text.index(section.split(" > ")[-1]) for section in kept["section"]}
    for index, row in enumerate(kept.iter_rows(named=True)):
        answer = row["messages"][1]["content"]
        assert text[row["span_start"] : row["span_end"]] == answer
        assert row["doc_id"] == "d1" and row["source"] == "guide.md"
        start = text.index("\n", starts[row["section"]]) + 2  # the body after the heading line and a blank
        expected = stable_id(
            "sft", "llm_qa", row["system"], row["messages"], "guide.md", row["section"], "test-model", "qa-v1",
            start, index % 2,  # two pairs per section
        )  # fmt: skip
        assert row["id"] == expected
    assert result.usage == {
        "requests": 3,
        "cache_hits": 0,
        "prompt_tokens": result.usage["prompt_tokens"],
        "completion_tokens": result.usage["completion_tokens"],
        "cost_usd": 0.0,
        "failed_sections": 0,
        "budget_exhausted": False,
    }
    assert result.usage["prompt_tokens"] > 0 and result.usage["completion_tokens"] > 0


def test_prompt_asks_for_the_configured_number_of_questions_from_the_section(server, tmp_path):
    run(server, tmp_path, count=1, questions_per_section=4, temperature=0.7, max_tokens=300)
    sent = server.requests[0]
    system, user = sent["messages"][0]["content"], sent["messages"][1]["content"]
    assert "exactly 4 different questions" in system and "no outside knowledge" in system
    assert "The defrost setting of model HP-0" in user and "Section: Heat pump guide > Section 0 on defrost" in user
    assert (sent["model"], sent["temperature"], sent["max_tokens"]) == ("test-model", 0.7, 300)


@pytest.mark.parametrize("structured", [True, False])
def test_structured_output_sends_response_format(server, tmp_path, structured):
    run(server, tmp_path, count=1, structured_output=structured)
    sent = server.requests[0]
    if not structured:
        assert "response_format" not in sent
        return
    assert sent["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "qa_pairs", "schema": wire_schema(load_schema("llm-qa")), "strict": True},
    }
    schema = sent["response_format"]["json_schema"]["schema"]
    assert schema["additionalProperties"] is False and schema["required"] == ["pairs"]
    assert "minLength" not in json.dumps(schema)  # strict endpoints refuse it; replies are still checked locally


def test_fenced_reply_with_prose_around_it_is_parsed(server, tmp_path):
    server.reply = llm_server.fenced
    result = run(server, tmp_path)
    assert result.kept.height == 6 and result.rejected.height == 0


@pytest.mark.parametrize(
    ("reply", "detail"),
    [
        ("I cannot help.", "reply is not JSON: Expecting value at char 0"),
        ('{"pairs": [{"question": "Q?", "answer": ""}]}', "pairs[0].answer: '' should be non-empty"),
        ('{"pairs": []}', "pairs: [] should be non-empty"),
        ('{"pairs": [{"question": "Q?"}]}', "pairs[0]: 'answer' is a required property"),
        ('{"pairs": [{"question": "Q?", "answer": "A", "source": "x"}]}', "pairs[0]: Additional properties"),
        ('{"pairs": [{"question": "Q?", "answer": "A"}', "reply is not JSON"),
    ],
)
def test_parse_pairs_names_what_is_wrong(reply, detail):
    with pytest.raises(MalformedReply) as caught:
        parse_pairs(reply)
    assert detail in str(caught.value)


@pytest.mark.parametrize(
    "reply",
    [
        '{"pairs": [{"question": "Q?", "answer": "A"}]}',
        '```json\n{"pairs": [{"question": "Q?", "answer": "A"}]}\n```',
        'Here you go: {"pairs": [{"question": "Q?", "answer": "A"}]} Anything else?',
        '[{"question": "Q?", "answer": "A"}]',
    ],
)
def test_parse_pairs_tolerates_fences_prose_and_a_bare_list(reply):
    assert parse_pairs(reply) == [{"question": "Q?", "answer": "A"}]


@given(st.text() | st.binary().map(lambda raw: raw.decode("utf-8", "replace")))
def test_parse_pairs_never_raises_anything_but_malformed_reply(reply):
    try:
        pairs = parse_pairs(reply)
    except MalformedReply as error:
        assert str(error)
    else:
        assert pairs and all(set(pair) == {"question", "answer"} for pair in pairs)


def test_no_sections_no_requests(server, tmp_path):
    result = generate_with_llm(sections_of(document(0)), config(server), None, None, tmp_path)
    assert (result.kept.schema, result.rejected.schema) == (EXAMPLE, REJECTED)
    assert result.kept.height == result.rejected.height == server.count == 0


def test_malformed_reply_is_retried_then_quarantined(server, tmp_path):
    server.reply = llm_server.malformed
    result = run(server, tmp_path, count=1, max_retries=2)
    assert server.count == 1 + 2
    assert result.kept.height == 0
    row = result.rejected.row(0, named=True)
    assert (row["reject_reason"], row["kind"], row["task"]) == (
        "llm_malformed",
        "sft",
        "llm_qa",
    )
    assert "reply is not JSON: Expecting value at char 0" in row["reject_detail"]
    assert row["messages"] is None and (row["doc_id"], row["source"]) == ("d1", "guide.md")
    assert row["section"] == "Heat pump guide > Section 0 on defrost"
    assert result.usage["failed_sections"] == 1
    # The retry shows the model its reply and what was wrong with it.
    assert server.requests[1]["messages"][2] == {"role": "assistant", "content": "I am sorry, I cannot produce that."}
    assert "reply is not JSON" in server.requests[1]["messages"][3]["content"]
    assert not list((tmp_path / "cache").rglob("*.json"))  # only valid replies are cached


def test_schema_violating_reply_is_quarantined(server, tmp_path):
    server.reply = llm_server.schema_violation
    result = run(server, tmp_path, count=1, max_retries=1)
    assert server.count == 2
    assert result.rejected["reject_reason"].to_list() == ["llm_malformed"]
    assert "pairs[0].answer: '' should be non-empty" in result.rejected["reject_detail"][0]


def test_a_malformed_reply_followed_by_a_valid_one_succeeds(server, tmp_path):
    server.script.append(Step(content="not json"))
    result = run(server, tmp_path, count=1)
    assert server.count == 2 and result.kept.height == 2 and result.rejected.height == 0


@pytest.mark.parametrize(
    ("step", "least_wait"),
    [
        (Step(status=429, headers={"Retry-After": "1"}), 1.0),
        (Step(status=429, headers={"retry-after-ms": "700"}), 0.7),
        (Step(status=500), 0.25),
        (Step(status=503, body="<html>upstream down</html>"), 0.25),
    ],
    ids=["429-retry-after", "429-retry-after-ms", "500", "503"],
)
def test_rate_limits_and_server_errors_are_retried(server, tmp_path, step, least_wait):
    server.script.append(step)
    started = time.monotonic()
    result = run(server, tmp_path, count=1)
    assert time.monotonic() - started >= least_wait
    assert server.count == 2 and result.kept.height == 2 and result.rejected.height == 0


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({}, None),
        ({"Retry-After": "2.5"}, 2.5),
        ({"retry-after-ms": "150", "Retry-After": "9"}, 0.15),
        ({"Retry-After": "soon"}, None),
    ],
)
def test_retry_after_header_forms(headers, seconds):
    assert retry_after_seconds(httpx.Headers(headers)) == seconds


def test_retry_after_as_an_http_date():
    when = email.utils.formatdate(time.time() + 20, usegmt=True)
    assert 15 < retry_after_seconds(httpx.Headers({"Retry-After": when})) <= 20


def test_a_timeout_is_retried(server, tmp_path):
    server.script.append(Step(delay=1.0))
    result = run(server, tmp_path, count=1, timeout_seconds=0.3)
    assert server.count == 2 and result.kept.height == 2


def test_a_400_fails_at_once(server, tmp_path):
    server.script.append(Step(status=400, body='{"error": {"message": "response_format is not supported"}}'))
    result = run(server, tmp_path, count=1)
    assert server.count == 1
    row = result.rejected.row(0, named=True)
    assert row["reject_reason"] == "llm_request_failed" and row["messages"] is None
    assert "HTTP 400" in row["reject_detail"] and "response_format is not supported" in row["reject_detail"]
    assert "llm.structured_output = false" in row["reject_detail"]


def test_persistent_server_errors_end_as_request_failed(server, tmp_path):
    server.script.extend(Step(status=502) for _ in range(2))
    result = run(server, tmp_path, count=1, max_retries=1)
    assert server.count == 2
    assert result.rejected["reject_reason"].to_list() == ["llm_request_failed"]
    assert (
        "HTTP 502" in result.rejected["reject_detail"][0]
        and "after 2 attempt(s)" in result.rejected["reject_detail"][0]
    )


def test_an_unreachable_endpoint_is_retried_then_fails(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cfg = LLMConfig(base_url=f"http://127.0.0.1:{port}/v1", model="m", min_section_chars=80, max_retries=1)
    result = generate_with_llm(sections_of(document(1)), cfg, None, None, tmp_path)
    assert result.rejected["reject_reason"].to_list() == ["llm_request_failed"]
    assert "ConnectError" in result.rejected["reject_detail"][0]
    assert result.usage["requests"] == 2


def test_an_ungrounded_answer_is_rejected_unsupported(server, tmp_path):
    server.reply = llm_server.ungrounded
    result = run(server, tmp_path, count=1)
    assert result.kept.height == 0
    row = result.rejected.row(0, named=True)
    assert row["reject_reason"] == "unsupported"
    assert row["reject_detail"].startswith("support 0.00 < 0.60")
    assert row["messages"][0]["content"] == "What binds quarks together?"  # the pair is kept for review
    assert row["span_start"] is not None  # the section it was asked about


@pytest.mark.parametrize(
    ("pairs", "reasons"),
    [
        (
            [{"question": "   ", "answer": "The defrost setting of model HP-0 is adjusted in the Brightwater app."}],
            ["llm_malformed"],
        ),
        ([{"question": "Where?", "answer": " \n "}], ["llm_malformed"]),
        (
            [
                {
                    "question": f"Q{index}?",
                    "answer": "The defrost setting of model HP-0 is adjusted in the Brightwater app.",
                }
                for index in range(3)
            ],
            [None, None, "over_cap"],
        ),
    ],
    ids=["blank-question", "blank-answer", "more-pairs-than-asked"],
)
def test_blank_and_surplus_pairs_are_rejected(server, tmp_path, pairs, reasons):
    server.reply = lambda section, count: json.dumps({"pairs": pairs})
    result = run(server, tmp_path, count=1)
    assert result.kept.height == reasons.count(None)
    assert result.rejected["reject_reason"].to_list() == [reason for reason in reasons if reason]


def test_a_paraphrase_is_kept_with_its_section_as_the_span(server, tmp_path):
    answer = "Installers check defrost behaviour while commissioning unit 0."
    server.reply = lambda section, count: json.dumps({"pairs": [{"question": "Who checks defrost?", "answer": answer}]})
    text = document(1)
    result = run(server, tmp_path, text=text)
    assert result.kept.height == 1
    section = sections_of(text).row(0, named=True)
    row = result.kept.row(0, named=True)
    assert (row["span_start"], row["span_end"]) == (section["body_start"], section["body_end"])


def test_a_second_run_with_the_same_inputs_makes_no_requests(server, tmp_path):
    first = run(server, tmp_path)
    assert server.count == 3
    second = run(server, tmp_path)
    assert server.count == 3
    assert_frame_equal(first.kept, second.kept)
    assert_frame_equal(first.rejected, second.rejected)
    assert second.usage["requests"] == 0 and second.usage["cache_hits"] == 3
    assert second.usage["prompt_tokens"] == 0 and second.usage["cost_usd"] == 0.0
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 3
    assert not list((tmp_path / "cache").rglob("*.tmp"))
    run(server, tmp_path, prompt_version="qa-v2")  # a changed prompt version is a cache miss
    assert server.count == 6


def test_max_requests_stops_sending_and_rejects_the_rest(server, tmp_path):
    result = run(server, tmp_path, count=3, max_requests=1, concurrency=4)
    assert server.count == 1 and result.usage["requests"] == 1
    assert result.usage["budget_exhausted"] is True
    assert result.kept["section"].unique().to_list() == ["Heat pump guide > Section 0 on defrost"]
    assert result.rejected["reject_reason"].to_list() == ["llm_budget_exhausted"] * 2
    assert "llm.max_requests=1 reached" in result.rejected["reject_detail"][0]


def test_max_cost_stops_after_the_first_priced_reply(server, tmp_path):
    server.usage = (1000, 1000)
    prices = {"price_input_per_1m_usd": 1.0, "price_output_per_1m_usd": 1.0}
    result = run(server, tmp_path, count=3, max_cost_usd=0.001, concurrency=1, **prices)
    assert server.count == 1
    assert result.usage["cost_usd"] == pytest.approx(0.002)
    assert result.usage["budget_exhausted"] is True
    assert result.rejected["reject_reason"].to_list() == ["llm_budget_exhausted"] * 2
    assert "llm.max_cost_usd=0.001 reached" in result.rejected["reject_detail"][0]


def test_the_api_key_goes_only_into_the_authorization_header(server, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    good = run(server, tmp_path, api_key=KEY)
    server.script.append(Step(status=401, body='{"error": "bad key {auth}"}'))  # a server that echoes the key
    server.reply = llm_server.malformed
    bad = run(server, tmp_path / "other", api_key=KEY, max_retries=0)
    assert server.authorization[0] == f"Bearer {KEY}"
    assert set(server.authorization) == {f"Bearer {KEY}"}
    assert {"llm_request_failed", "llm_malformed"} <= set(bad.rejected["reject_reason"])
    assert "[redacted]" in bad.rejected.filter(pl.col("reject_reason") == "llm_request_failed")["reject_detail"][0]
    assert good.kept.height == 6 and caplog.records
    assert leaked_anywhere(KEY, [good, bad], tmp_path, caplog) == []


def test_no_key_sends_no_authorization_header(server, tmp_path):
    run(server, tmp_path, count=1, api_key="")
    assert server.authorization == [None]


def test_a_key_that_cannot_be_a_header_is_a_config_error_without_the_key(tmp_path):
    with pytest.raises(ConfigError, match="FTPREP_LLM_API_KEY") as caught:
        generate_with_llm(sections_of(document(1)), LLMConfig(), None, "sk-abc def", tmp_path)
    assert "sk-abc" not in str(caught.value)


def test_a_base_url_that_is_not_http_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"llm\.base_url"):
        generate_with_llm(sections_of(document(1)), LLMConfig(base_url="localhost:8000/v1"), None, None, tmp_path)


def test_concurrency_is_bounded(server, tmp_path):
    server.delay = 0.3
    started = time.monotonic()
    result = run(server, tmp_path, count=8, concurrency=4)
    assert 1 < server.max_in_flight <= 4
    assert time.monotonic() - started < 8 * 0.3  # parallel, not one after another
    assert result.kept.height == 16
    assert result.kept["section"].to_list() == sorted(result.kept["section"].to_list())


def test_every_section_ends_as_examples_or_a_rejected_row(server, tmp_path):
    def mixed(section: str, count: int) -> str:
        if "warranty" in section:
            return llm_server.ungrounded(section, count)
        if "noise" in section:
            return llm_server.malformed(section, count)
        return llm_server.grounded(section, count)

    server.reply = mixed
    server.script.append(Step(status=400))  # the first section sent: defrost
    sections = sections_of(document(6, short=2))
    cfg = config(server, max_retries=1, max_requests=5, concurrency=1)
    result = generate_with_llm(sections, cfg, None, None, tmp_path)
    seen = pl.concat([result.kept.select("source", "section"), result.rejected.select("source", "section")]).unique()
    assert seen.sort("section").equals(sections.select("source", "section").sort("section"))
    reasons = dict(
        zip(result.rejected["section"].str.split(" > ").list.last(), result.rejected["reject_reason"], strict=True)
    )
    assert reasons == {
        "Note 0": "section_too_short",
        "Note 1": "section_too_short",
        "Section 0 on defrost": "llm_request_failed",
        "Section 1 on warranty": "unsupported",
        "Section 2 on noise": "llm_malformed",
        "Section 4 on tariffs": "llm_budget_exhausted",
        "Section 5 on sizing": "llm_budget_exhausted",
    }
    assert result.kept["section"].unique().to_list() == ["Heat pump guide > Section 3 on filters"]
    assert result.usage["requests"] == server.count == 5
    assert result.usage["failed_sections"] == 2 and result.usage["budget_exhausted"] is True
    assert result.kept["id"].is_unique().all() and result.rejected["id"].is_unique().all()
