"""What a user found on real handbooks (issue 17): team mailboxes and documentation addresses reported as personal
data, an AWS secret written after "with the secret" left in train.jsonl. The labelled lines of
tests/data/sensitive/handbook.jsonl, tables for mailboxes and unlabelled secrets, and properties over both."""

import json
import math
import re
import string
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.checks.validate.conversation import Conversation
from pipeline.checks.validate.record_checks import text_findings
from pipeline.sensitive.detectors import DETECTORS
from pipeline.sensitive.keyword_secrets import TEMPLATE_WORDS
from pipeline.sensitive.mailboxes import GLUED_WORDS, ROLE_MAILBOXES, TEAM_WORDS
from pipeline.sensitive.policy import redact, scan
from pipeline.sensitive.validators import email

LINES = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "sensitive" / "handbook.jsonl").read_text("utf-8").splitlines()
]
POSITIVE = [row for row in LINES if row["findings"]]
NEGATIVE = [row for row in LINES if not row["findings"]]


def frame(texts: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"id": [str(index) for index in range(len(texts))], "system": texts})


def found_types(text: str) -> dict[str, int]:
    return dict(scan(frame([text])).select("type", "count").iter_rows())


@pytest.mark.parametrize("row", POSITIVE, ids=lambda row: row["case"])
def test_every_planted_value_is_found_with_its_type_and_redacted(row):
    values = [row["text"][finding["start"] : finding["end"]] for finding in row["findings"]]
    planted: dict[str, int] = {}
    for finding in row["findings"]:
        planted[finding["type"]] = planted.get(finding["type"], 0) + 1
    assert found_types(row["text"]) == planted
    redacted = redact(frame([row["text"]]))["system"][0]
    assert not any(value in redacted for value in values), redacted


@pytest.mark.parametrize("row", NEGATIVE, ids=lambda row: row["case"])
def test_nothing_is_found_on_a_negative_line(row):
    assert found_types(row["text"]) == {}


def test_the_set_covers_what_the_issue_names():
    cases = {row["case"] for row in LINES}
    assert {"unlabelled_aws_secret", "azure_storage", "gcp_service_account", "slack_webhook", "jwt"} <= cases
    assert {"role_mailbox", "documentation_address", "uuid", "git_commit", "version_string", "file_path"} <= cases
    assert len(POSITIVE) >= 20 and len(NEGATIVE) >= 30


@pytest.mark.parametrize("row", POSITIVE, ids=lambda row: row["case"])
def test_validate_warns_on_every_positive_line(row):
    conversation = Conversation(system=None, turns=(("user", row["text"]),), answers=())
    _, warnings = text_findings(conversation, 1)
    messages = " ".join(warning.message for warning in warnings)
    assert all(finding["type"] in messages for finding in row["findings"]), messages


@pytest.mark.parametrize(
    ("address", "personal"),
    [
        ("people-ops@gsa.gov", False),
        ("TTS-PeopleOps@gsa.gov", False),
        ("finance@agency.gov", False),
        ("travel@agency.gov", False),
        ("tts-travel@gsa.gov", False),
        ("kc-payroll.finance@gsa.gov", False),
        ("itservicedesk@gsa.gov", False),  # a function word glued inside
        ("1800Ftenantsupport@gsa.gov", False),
        ("18f-nyc@gsa.gov", False),  # an organisation code starting with a digit
        ("gsa-ir@gsa.gov", False),  # repeats the domain's label
        ("GSARegSec@gsa.gov", False),  # parts at capitals: GSA, Reg, Sec
        ("joinTTS@gsa.gov", False),
        ("JohnSmith@gmail.com", True),
        ("j.smith+billing@outlook.com", True),  # a person's tag is still the person's
        ("opp-team@gsa.gov", False),
        ("secops@corp.com", False),
        ("support+billing@login.gov", False),
        ("no-reply@accounts.google.com", False),
        ("exporter@tts-analytics.iam.gserviceaccount.com", False),  # a service account
        ("alice@email.com", False),
        ("bob@example.com", False),
        ("maria.keller@mail.example.org", False),
        ("k.tanaka@example.co.jp", False),
        ("you@yourdomain.com", False),
        ("jane@your-company.org", False),
        ("name@company.com", False),
        ("dev@app.test", False),
        ("admin@host.invalid", False),
        ("root@localhost", False),
        ("firstname.lastname@gsa.gov", False),  # the template, not a person
        ("janie.burmeister@gsa.gov", True),
        ("jdoe@agency.gov", True),
        ("steve.jobs@apple.com", True),  # `jobs` only as the whole local part
        ("sam.joiner@outlook.com", True),
        ("r.rosales@gmail.com", True),  # `sales` only as a whole part
        ("li_wei88@163.com", True),
        ("5551234567@txt.att.net", True),  # digits only: a phone number
        ("anna-lena.schulz@web.de", True),
    ],
)
def test_mailboxes(address, personal):
    assert bool(email(address)) == personal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Log in with the secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY and rotate it.", "generic_secret"),
        ("the AWS secret is wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "generic_secret"),
        (
            "AccountName=x;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KB==;",
            "generic_secret",
        ),
        ("The API token is 8f14e45fceea167a5a36dedd4bea2543b5c1f2a7", "generic_secret"),  # hex: 3.0 bits suffice
        ("Post it to https://hooks.slack.com/services/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", "slack_webhook"),
        ("Slack's docs: https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", None),
        ("the token is 123e4567-e89b-42d3-a456-426614174000", None),  # a UUID: an id, as detect-secrets decides
        ("The key fix landed in commit 8f14e45fceea167a5a36dedd4bea2543b5c1f2a7.", None),
        ("GPG key ID: 8F14E45FCEEA167A5A36DEDD4BEA2543B5C1F2A7", None),
        ("the secret sauce is a recipe handed down for generations", None),
        ("key: com.example.app.ServiceProvider2", None),
        ("token lifetime: kubernetesServiceAccountToken2024", None),
        ("Secret: config/secrets/production2024.yml.enc", None),
        ("the key is Pneumonoultramicroscopicsilicovolcanoconiosis", None),
        ("pin the token library to v2.3.1-beta.4+build.20240101", None),
        ("api key: YOUR_API_KEY_HERE_1234567890", None),
    ],
)
def test_unlabelled_secrets(text, expected):
    assert set(found_types(text)) == ({expected} if expected else set())


SECRET_WORDS = ["secret", "Secret", "token", "API key", "password", "credential", "access key", "SECRET"]
LEADS = [
    "{word} ",
    "{word} is ",
    "the {word} is ",
    "with the {word} ",
    "{word}: ",
    "{word}=",
    "{word} for the staging bucket: ",
]


def generated_looking(key: str) -> bool:
    """Well over the 3.5 bits per character scanners require, and a run of ten letters and digits, the
    detector's other documented rule (pipeline/sensitive/keyword_secrets.py: slashes and plus signs of a
    path or a formula break runs). Hypothesis found "000000Aa0/011234567+89BCDEFGH/I" (4.1 bits, runs of
    nine), which the detector leaves by that rule; a random base64 key lacks such a run once in 170 at 30
    characters and once in 1,400 at 40 (simulated, 200,000 keys each). A key holding a placeholder's letters in
    any case ("...BCDEFGXXXx" holds "xxxx") is a template by the detector's third documented rule (TEMPLATE_WORDS),
    which Hypothesis found: a random base64 key of 30 characters holds "xxxx" or "your" about once in 19,000
    (27 places, each letter 2 of 64 characters)."""
    placeholder = any(word in key.lower() for word in TEMPLATE_WORDS)
    return shannon_bits(key) >= 4.0 and re.search(r"[A-Za-z0-9]{10}", key) is not None and not placeholder


def shannon_bits(text: str) -> float:
    """Bits per character; written out here so the test does not lean on the detector's own entropy. The
    earlier filter (16 distinct characters) let through "000000Aa0000000000123456789BCDE", 2.9 bits, which
    the detector rightly leaves, as gitleaks does."""
    counts = [text.count(char) for char in set(text)]
    return -sum(count / len(text) * math.log2(count / len(text)) for count in counts)


KEY = st.builds(
    lambda body, digit, upper, lower: body[:5] + digit + upper + lower + body[5:],
    st.text(alphabet=string.ascii_letters + string.digits + "+/", min_size=28, max_size=80),
    st.sampled_from(string.digits),
    st.sampled_from(string.ascii_uppercase),
    st.sampled_from(string.ascii_lowercase),
).filter(generated_looking)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(SECRET_WORDS), st.sampled_from(LEADS), KEY, st.sampled_from(["", ".", " and rotate it.", "\n"]))
def test_a_generated_key_after_a_secret_word_is_redacted(word, lead, key, tail):
    text = "Note: " + lead.format(word=word) + key + tail
    assert key not in redact(frame([text]))["system"][0], text


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(SECRET_WORDS),
    st.sampled_from(LEADS),
    st.lists(st.text(alphabet=string.ascii_lowercase, min_size=2, max_size=14), min_size=1, max_size=4),
    st.sampled_from(["-", "_", ".", "", "/"]),
)
def test_words_after_a_secret_word_are_not_a_secret(word, lead, words, joiner):
    text = lead.format(word=word) + joiner.join(words) + " today."
    assert "generic_secret" not in found_types(text), text


TEAM_PARTS = sorted((ROLE_MAILBOXES - {"jobs"}) | TEAM_WORDS | {f"x{word}" for word in GLUED_WORDS})
NAMES = ["maria", "keller", "janie", "burmeister", "ahmed", "mahdi", "li", "wei", "okafor", "j", "doe", "rawls"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["tts", "18f", "gsa", "kc", *NAMES]), max_size=2),
    st.sampled_from(TEAM_PARTS),
    st.sampled_from(["-", ".", "_"]),
    st.sampled_from(["gsa.gov", "agency.gov", "gmail.com"]),
)
def test_a_local_part_holding_a_function_word_is_a_team_mailbox(prefix, team, separator, domain):
    assert not email(separator.join([*prefix, team]) + "@" + domain)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3), st.sampled_from([".", "_", "-", ""]))
def test_a_name_at_a_real_domain_is_personal_data(names, separator):
    assert email(separator.join(names) + "@gsa.gov")


NEW_DETECTORS = [
    detector for detector in DETECTORS if detector.check.__qualname__.startswith(("keyword_secret", "slack"))
]
PIECES = [row["text"][f["start"] : f["end"]] for row in POSITIVE for f in row["findings"]] + [
    "secret", "Token", "key", " is ", ": ", "=", "\u00a0", "é", "\n", "`", "with the ", "hooks.slack.com/services/", "/",
    "https://",
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=12), st.sampled_from(PIECES)), max_size=10).map("".join))
def test_polars_and_python_find_the_same_candidates(text):
    """prepare runs the patterns in polars, `ftprep validate` in Python's re: both must see the same candidates."""
    for detector in NEW_DETECTORS:
        polars_says = pl.Series([text]).str.extract_all(detector.pattern).item().to_list()
        assert polars_says == [match.group(0) for match in detector.matches(text)], detector.type
