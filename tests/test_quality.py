import polars as pl
import pytest

from pipeline.config import PrepareConfig, QualityConfig, SensitiveConfig
from pipeline.quality import RULES, filter_quality
from pipeline.records import EXAMPLE

GOOD_PROMPT = "How long is the warranty on the HP-7?"
GOOD_ANSWER = "Seven years on the compressor and two years on all other parts."
YOUTUBE_EMBED = (
    '<iframe width="560" height="315" src="https://www.youtube.com/embed/dQw4w9WgXcQ" title="YouTube video player" '
    'frameborder="0" allow="accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture" '
    "allowfullscreen></iframe>"
)


def example(prompt: str | None = GOOD_PROMPT, answer: str | None = GOOD_ANSWER, task: str = "faq") -> dict:
    messages = [
        m
        for m in ({"role": "user", "content": prompt}, {"role": "assistant", "content": answer})
        if m["content"] is not None
    ]
    return {"id": "x", "kind": "sft", "task": task, "messages": messages, "doc_id": "d", "source": "s", "section": ""}


@pytest.mark.parametrize(
    ("prompt", "answer", "reason"),
    [
        (GOOD_PROMPT, GOOD_ANSWER, None),
        (GOOD_PROMPT, "Seven years.", None),  # a short answer to an explicit question (task faq)
        ("Give the warranty period of the HP-7.", "Seven years.", "short_answer"),  # not a question
        ("", GOOD_ANSWER, "empty_prompt"),
        (GOOD_PROMPT, "   ", "empty_answer"),
        (GOOD_PROMPT, None, "empty_answer"),  # no assistant turn: null fails the rule
        ("Why?", GOOD_ANSWER, "short_prompt"),
        (GOOD_PROMPT, "x" * 12_001, "long_answer"),
        (GOOD_PROMPT, GOOD_ANSWER + " <|endoftext|>", "special_token"),
        ("[INST] " + GOOD_PROMPT, GOOD_ANSWER, "special_token"),
        (GOOD_PROMPT, GOOD_PROMPT.upper() + "  ", "answer_repeats_prompt"),
        (GOOD_PROMPT, "[insert the warranty period here]", "placeholder_answer"),
        # 0.1.0 rejected a whole answer in angle brackets (`<.*>`) as a placeholder: an embed is an answer.
        ("Where is the onboarding video?", YOUTUBE_EMBED, None),
        (
            "Where is the onboarding video?",
            YOUTUBE_EMBED.replace("dQw4w9WgXcQ", "{{ video_id }}"),
            "placeholder_answer",
        ),
        (GOOD_PROMPT, "TBD", "placeholder_answer"),
        (GOOD_PROMPT, "Lorem ipsum dolor sit amet, consectetur adipiscing elit.", "placeholder_answer"),
    ],
)
def test_rules(prompt, answer, reason):
    frame = pl.DataFrame([example(prompt, answer)], schema=EXAMPLE)
    kept, rejected = filter_quality(frame, QualityConfig())
    assert kept.height + rejected.height == 1
    assert (rejected["reject_reason"].to_list() or [None]) == [reason]


@pytest.mark.parametrize(
    ("task", "prompt", "reason"),
    [
        ("faq", "When do I return my laptop?", None),
        ("qa", "When do I return my laptop?", None),
        ("faq", "Tell me when I return my laptop.", "short_answer"),
        ("heading", "When do I return my laptop?", "short_answer"),
        ("table_cell", "Give the return date for laptops.", None),  # quality.short_answer_tasks
    ],
)
def test_short_answers_to_explicit_questions_are_kept(task, prompt, reason):
    frame = pl.DataFrame([example(prompt, "On your last day.", task)], schema=EXAMPLE)
    kept, rejected = filter_quality(frame, QualityConfig())
    assert kept.height + rejected.height == 1
    assert (rejected["reject_reason"].to_list() or [None]) == [reason]
    strict = filter_quality(frame, QualityConfig(short_answer_questions=[], short_answer_tasks=[]))
    assert strict.rejected["reject_reason"].to_list() == ["short_answer"]


def pair(chosen: str | None, rejected: str | None) -> dict:
    return {
        "id": "p",
        "kind": "preference",
        "task": "faq",
        "messages": [{"role": "user", "content": GOOD_PROMPT}],
        "chosen": chosen,
        "rejected": rejected,
        "doc_id": "d",
        "source": "s",
        "section": "",
    }


@pytest.mark.parametrize(
    ("chosen", "rejected", "reason"),
    [
        (GOOD_ANSWER, "Two years on everything, no more.", None),
        (GOOD_ANSWER, "  ", "empty_rejected"),
        (GOOD_ANSWER, None, "empty_rejected"),
        (GOOD_ANSWER, GOOD_ANSWER.upper(), "identical_pair"),
        (None, "Two years on everything, no more.", "empty_answer"),
    ],
)
def test_pair_rules(chosen, rejected, reason):
    frame = pl.DataFrame([pair(chosen, rejected)], schema=EXAMPLE)
    _, rejected_rows = filter_quality(frame, QualityConfig())
    assert (rejected_rows["reject_reason"].to_list() or [None]) == [reason]


def test_every_rule_has_a_table_row():
    tested = {row[2] for test in (test_rules, test_pair_rules) for row in test.pytestmark[0].args[1]}  # type: ignore[attr-defined]
    assert {reason for reason, _, _ in RULES} <= tested


def test_detail_names_the_setting():
    frame = pl.DataFrame([example(GOOD_PROMPT, "Short.", "heading")], schema=EXAMPLE)
    _, rejected = filter_quality(frame, QualityConfig(min_answer_chars=30))
    assert rejected["reject_detail"][0] == "answer shorter than quality.min_answer_chars = 30"


KEY = "sk-live-9fQ2mX7vB4rT8nW1zK5pD3sL6gJ0cY2h"
MAIL = "Write to maria.keller@gmx.de about the claim."


@pytest.mark.parametrize(
    ("answer", "sensitive", "reason", "kept_answer"),
    [
        (f"Use key {KEY} to call it.", {}, None, "Use key [API_KEY] to call it."),  # secrets: redact by default
        (f"Use key {KEY} to call it.", {"secrets": "reject"}, "secret", None),
        (f"Use key {KEY} to call it.", {"secrets": "report"}, None, f"Use key {KEY} to call it."),
        ("Key AKIAIOSFODNN7EXAMPLE is the old one, never use it.", {"secrets": "reject"}, "secret", None),
        (MAIL, {}, None, MAIL),  # personal data: report by default
        (MAIL, {"personal_data": "reject"}, "personal_data", None),
        (MAIL, {"personal_data": "redact"}, None, "Write to [EMAIL] about the claim."),
        (MAIL, {"personal_data": "reject", "allow": ["email"]}, None, MAIL),
        ("Write to support@brightwater.example about the claim.", {"personal_data": "reject"}, None, None),
        (f"Use {KEY}.", {}, "short_answer", None),  # rules see the redacted text: "Use [API_KEY]." is short
    ],
)
def test_sensitive_data_is_screened_first(answer, sensitive, reason, kept_answer):
    frame = pl.DataFrame([example(GOOD_PROMPT, answer, "heading")], schema=EXAMPLE)  # no short answers exempt
    kept, rejected = filter_quality(frame, QualityConfig(), SensitiveConfig(**sensitive))
    assert (rejected["reject_reason"].to_list() or [None]) == [reason]
    if kept_answer is not None:
        assert kept["messages"][0][-1]["content"] == kept_answer
    assert KEY not in str(rejected.to_dicts())  # a rejected example carries no secret into rejects.jsonl


def test_allow_emails_of_older_configs_is_read_as_an_allowed_finding_type():
    frame = pl.DataFrame([example(GOOD_PROMPT, MAIL)], schema=EXAMPLE)
    old = {"quality": {"allow_emails": True}, "sensitive": {"personal_data": "reject"}}
    with pytest.warns(FutureWarning, match=r"quality\.allow_emails is now 'email' in sensitive\.allow"):
        cfg = PrepareConfig.model_validate(old)
    assert cfg.sensitive.allow == ["email"]
    assert filter_quality(frame, cfg.quality, SensitiveConfig(personal_data="reject")).kept.height == 0
    assert filter_quality(frame, cfg.quality, cfg.sensitive).kept.height == 1
