"""Secrets and personal data: fixtures with planted values (recall) and clean text (false positives), a
table per detector, the three modes, and properties of scanning and redaction on arbitrary text."""

import json
import time
from collections import Counter
from pathlib import Path
from typing import get_args

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.checks.validate.conversation import Conversation
from pipeline.checks.validate.record_checks import HINTS, text_findings
from pipeline.config import FindingType, SensitiveConfig
from pipeline.records import EXAMPLE
from pipeline.sensitive.detectors import DETECTORS, HINTED, TYPES, Detector
from pipeline.sensitive.policy import apply_sensitive, redact, scan, summary

DATA = Path(__file__).resolve().parent / "data" / "sensitive"
LABELLED = [json.loads(line) for line in (DATA / "labelled.jsonl").read_text(encoding="utf-8").splitlines()]
CLEAN = (DATA / "clean.txt").read_text(encoding="utf-8").splitlines()
PLACEHOLDERS = {detector.type: detector.placeholder for detector in DETECTORS}


def texts_frame(texts: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"id": [str(index) for index in range(len(texts))], "system": texts})


def planted(row: dict) -> list[tuple[str, str]]:
    return [(finding["type"], row["text"][finding["start"] : finding["end"]]) for finding in row["findings"]]


def recall(rows: list[dict]) -> tuple[int, int]:
    """(planted items found, planted items): per line and type, found counts up to the planted count."""
    findings = scan(texts_frame([row["text"] for row in rows]))
    found = {(line, kind): count for line, kind, count in findings.select("id", "type", "count").iter_rows()}
    hits = total = 0
    for index, row in enumerate(rows):
        for kind, count in Counter(finding["type"] for finding in row["findings"]).items():
            hits += min(count, found.get((str(index), kind), 0))
            total += count
    return hits, total


def test_labelled_fixture_plants_every_type_with_exact_spans():
    assert {kind for row in LABELLED for kind, _ in planted(row)} == set(TYPES)
    assert all(value.strip() == value and value for row in LABELLED for _, value in planted(row))


def test_every_planted_value_is_found():
    hits, total = recall(LABELLED)
    assert total >= 100
    assert hits / total == 1.0


def test_no_other_type_is_found_on_labelled_lines():
    findings = scan(texts_frame([row["text"] for row in LABELLED]))
    for index, row in enumerate(LABELLED):
        found = dict(findings.filter(pl.col("id") == str(index)).select("type", "count").iter_rows())
        assert found == dict(Counter(kind for kind, _ in planted(row))), row["text"]


def test_redaction_leaves_no_planted_value():
    redacted = redact(texts_frame([row["text"] for row in LABELLED]))["system"].to_list()
    for row, text in zip(LABELLED, redacted, strict=True):
        for kind, value in planted(row):
            assert value not in text and PLACEHOLDERS[kind] in text


def test_clean_text_false_positive_rate():
    assert len(CLEAN) >= 300
    flagged = scan(texts_frame(CLEAN))["id"].n_unique()
    assert flagged / len(CLEAN) < 0.01


def test_config_types_match_the_detectors():
    assert set(get_args(FindingType)) == set(TYPES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ship 4111 1111 1111 1111 today", "card"),
        ("ship 4111 1111 1111 1112 today", None),  # Luhn fails
        ("ship 4111 11111 111 1111 today", None),  # not grouped like a card
        ("EAN 4006381333931", None),  # 13 digits: a barcode
        ("pay DE89 3704 0044 0532 0130 00 now", "iban"),
        ("pay DE88 3704 0044 0532 0130 00 now", None),  # mod-97 fails
        ("room AB12 CDEF 3456", None),  # no such country
        ("from 203.0.113.42 at noon", "ip_address"),
        ("ssh admin@172.16.254.1", "ip_address"),
        ("version 1.2.3.4", None),
        ("Version: 10.0.0.5", None),
        ("see 1.2.3.4", "ip_address"),  # no label: four octets are an address
        ("section 1.2.3.4", None),
        ("v1.2.3.4", None),
        ("OID 1.3.6.1.4.1.311", None),
        ("idna>=3.6.0.1", None),
        ("mask 255.255.255.0, localhost 127.0.0.1", None),
        ("via 2001:db8::1 today", "ip_address"),
        ("std::vector and Foo::Bar at 12:30:45", None),
        ("MAC 00:1A:2B:3C:4D:5E", None),
        ("call (212) 555-0147", "phone"),
        ("call +44 20 7946 0958", "phone"),
        ("call 030 12345678", "phone"),
        ("call 0800 555 0199", None),  # freephone: a business line
        ("lot 03 4411 2290", None),
        ("on 2024-05-17 at 10:30", None),
        ("SKU 4471-2209-33", None),
        ("write maria.keller@gmx.de", "email"),
        ("write support@brightwater.example", None),
        ("icon@2x.png", None),
        ("ssh engineer@gateway.internal", None),
        ("postgres://app:Vq8rLm2xTz94@db/x", "url_credentials"),
        ("postgres://user:password@localhost/db", None),
        ("postgres://${DB_USER}:${DB_PASSWORD}@db/app", None),
        ("api_key = 3f9a8c7d6e5b4a39c1d2", "generic_secret"),
        ("api_key=YOUR_API_KEY_HERE", None),
        ("token = tokenizer.encode(text)", None),
        ("password_min_length = 12", None),
        ("Authorization: Bearer <token>", None),
        ("key sk-live-9fQ2mX7vB4rT8nW1zK5pD3sL6gJ0cY2h", "openai_api_key"),
        ("see the task-management-system-overview page", None),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlMTIz", "jwt"),
        ("eyAia2V5IjogInZhbHVlIiB9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlMTIz", None),  # header is not a JWT's
        ("-----BEGIN PUBLIC KEY----- is safe to share", None),
        ("hf_hub_download fetches a file", None),
        ("AIzawa is a partner installer", None),
    ],
)
def test_detector_table(text, expected):
    assert set(scan(texts_frame([text]))["type"]) == ({expected} if expected else set())


def conversation_frame() -> pl.DataFrame:
    rows = [
        {
            "id": "a",
            "kind": "sft",
            "system": "Escalate to maria.keller@gmx.de.",
            "messages": [
                {"role": "user", "content": "My key is sk-live-9fQ2mX7vB4rT8nW1zK5pD3sL6gJ0cY2h, is it safe?"},
                {"role": "assistant", "content": "Revoke it now, and never paste a key into a chat."},
            ],
        },
        {
            "id": "b",
            "kind": "preference",
            "messages": [{"role": "user", "content": "Who to call?"}],
            "chosen": "Call +44 20 7946 0958.",
            "rejected": "Call 0800 555 0199.",
        },
        {"id": "c", "kind": "sft", "messages": [{"role": "user", "content": "Nothing sensitive here at all."}]},
    ]
    return pl.DataFrame(rows, schema=EXAMPLE)


@pytest.mark.parametrize(
    ("secrets", "personal_data", "rejected", "reasons"),
    [
        ("redact", "report", [], []),
        ("reject", "report", ["a"], ["secret"]),
        ("report", "reject", ["a", "b"], ["personal_data", "personal_data"]),
        ("reject", "reject", ["a", "b"], ["secret", "personal_data"]),  # a secret outranks personal data
    ],
)
def test_modes(secrets, personal_data, rejected, reasons):
    frame = conversation_frame()
    result = apply_sensitive(frame, SensitiveConfig(secrets=secrets, personal_data=personal_data))
    assert sorted([*result.kept["id"], *result.rejected["id"]]) == ["a", "b", "c"]
    assert result.rejected["id"].to_list() == rejected
    assert result.rejected["reject_reason"].to_list() == reasons
    everything = json.dumps([*result.kept.to_dicts(), *result.rejected.to_dicts()])
    assert ("9fQ2mX7vB4rT8nW1zK5pD3sL6gJ0cY2h" in everything) == (secrets == "report")
    assert ("maria.keller" in everything) == (personal_data == "report")
    assert "0800 555 0199" in everything  # a freephone number is no finding


def test_redaction_keeps_roles_and_other_columns():
    frame = conversation_frame()
    kept = apply_sensitive(frame, SensitiveConfig(personal_data="redact")).kept
    assert kept["system"][0] == "Escalate to [EMAIL]."
    assert kept["messages"][0][0] == {"role": "user", "content": "My key is [API_KEY], is it safe?"}
    assert kept["chosen"][1] == "Call [PHONE]." and kept["rejected"][1] == "Call 0800 555 0199."
    assert kept.drop("system", "messages", "chosen").equals(frame.drop("system", "messages", "chosen"))


def test_reject_detail_names_types_never_values():
    result = apply_sensitive(conversation_frame(), SensitiveConfig(secrets="reject", personal_data="reject"))
    detail = result.rejected["reject_detail"][0]
    assert "openai_api_key (1)" in detail and "email (1)" in detail and "sensitive.secrets" in detail
    assert "sk-live" not in detail and "maria" not in detail


def test_findings_record_what_was_done():
    result = apply_sensitive(conversation_frame(), SensitiveConfig(allow=["phone"]))
    assert summary(result.findings).select("type", "action", "examples").rows() == [
        ("email", "reported", 1),
        ("openai_api_key", "redacted", 1),
    ]


def hinted_matches(text: str) -> list[tuple[Detector, str]]:
    """(detector, whole match) for each match of a hinted detector that its check accepts."""
    return [
        (detector, match.group(0))
        for detector in HINTED
        for match in detector.regex.finditer(text)
        if detector.check(match.group(0))
    ]


def test_validate_warns_with_the_same_detectors():
    """Every labelled line with a hinted type gives `ftprep validate` a warning naming that type."""
    hinted = {detector.type for detector in HINTED}
    assert set(TYPES) - hinted == {"card", "iban", "ip_address", "phone"}  # no fixed substring: prepare only
    for row in LABELLED:
        kinds = {kind for kind, _ in planted(row) if kind in hinted}
        conversation = Conversation(system=None, turns=(("user", row["text"]),), answers=())
        _, warnings = text_findings(conversation, 1)
        messages = " ".join(warning.message for warning in warnings)
        assert all(kind in messages for kind in kinds), (row["text"], messages)


@pytest.mark.parametrize(
    "text",
    ["A" * 100_000 + " key @", "a." * 50_000 + " key @ secret", "a@" + "b." * 50_000, "a-" * 50_000 + " :// @"],
)
def test_validate_stays_linear_on_hostile_text(text):
    """Python's backtracking `re` runs the hinted patterns; a quadratic one would take minutes here."""
    started = time.perf_counter()
    text_findings(Conversation(system=None, turns=(("user", text),), answers=()), 1)
    redact(texts_frame([text]))
    assert time.perf_counter() - started < 10


# Arbitrary text with pieces of real findings mixed in, so the properties exercise the detectors' paths.
PIECES = [value for row in LABELLED for _, value in planted(row)] + [
    "@", ":", "::", ".", "-", " ", "+", "(0)", "=", "key=", "Bearer ", "[API_KEY]", "://", "-----BEGIN ", "eyJ", "0",
    "4111", "DE89", "sk-", "\n", "§",
]  # fmt: skip
TEXTS = st.lists(st.one_of(st.text(max_size=30), st.sampled_from(PIECES)), max_size=8).map("".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=6))
def test_scan_and_redact_never_raise_and_redaction_is_complete_and_idempotent(texts):
    frame = texts_frame(texts)
    scan(frame)
    once = redact(frame)
    assert scan(once).height == 0  # every detected span is gone
    assert redact(once)["system"].to_list() == once["system"].to_list()


@settings(max_examples=60, deadline=None)
@given(TEXTS)
def test_every_hinted_match_shows_a_hint(text):
    """The hint pre-filter of `ftprep validate` can only skip texts in which no detector matches."""
    for detector, match in hinted_matches(text):
        assert any(hint in match.lower() for hint in detector.hints), (detector.type, match)
        assert any(hint in match.lower() for hint in HINTS)


def test_every_labelled_match_shows_a_hint():
    for row in LABELLED:
        for detector, match in hinted_matches(row["text"]):
            assert any(hint in match.lower() for hint in detector.hints), (detector.type, match)


MODES = st.sampled_from(["report", "redact", "reject"])


@settings(max_examples=40, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=6), MODES, MODES)
def test_every_example_ends_in_one_place_with_no_value_of_a_screened_kind(texts, secrets, personal_data):
    frame = pl.DataFrame(
        [{"id": str(i), "kind": "sft", "messages": [{"role": "user", "content": t}]} for i, t in enumerate(texts)],
        schema=EXAMPLE,
    )
    result = apply_sensitive(frame, SensitiveConfig(secrets=secrets, personal_data=personal_data))
    assert sorted([*result.kept["id"], *result.rejected["id"]]) == sorted(frame["id"])
    screened = [kind for kind, mode in (("secret", secrets), ("personal_data", personal_data)) if mode != "report"]
    out = pl.concat([result.kept, result.rejected.select(result.kept.columns)])
    assert scan(out, detectors=[detector for detector in DETECTORS if detector.kind in screened]).height == 0


@given(
    st.lists(
        st.sampled_from(
            [
                "word",
                "token",
                "key",
                "api_key=",
                "client_secret = '",
                "Bearer ",
                "x" * 40,
                "\n",
                "sk-",
                "hf_",
                "@",
                "a.b",
            ]
        ),
        min_size=1,
        max_size=60,
    ),
    st.integers(min_value=0, max_value=3),
)
@settings(max_examples=60, deadline=None)
def test_a_long_text_is_searched_near_its_hints_with_the_same_matches(parts, stretch):
    """Over 64k characters a detector searches windows around its hints (a 20 MB answer took 4.8 s for one
    pattern); what it finds must be what one pass over the whole text finds."""
    text = ("filler text " * 6000) + "".join(parts) * (1 + stretch * 200) + "tail"
    for detector in DETECTORS:
        if detector.hints:
            whole = [(m.start(), m.group(0)) for m in detector.regex.finditer(text)]
            assert [(m.start(), m.group(0)) for m in detector.matches(text)] == whole, detector.type
