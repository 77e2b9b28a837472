"""Detectors of secrets and personal data: a candidate pattern, a validator, a kind and a placeholder each.

A pattern is written once for both regex engines (polars' Rust `regex` and Python's `re`: no
look-around, no back-references) and finds *candidates*; the detector's `check`, plain Python, turns a
candidate into the values that really are findings (validators.py: a Luhn or mod-97 checksum,
a JWT header that decodes, a phone number's strict shape with its context) and returns the part to
redact: the value of `api_key = ...`, not its label. Checks only ever see candidates, which are few.

Order matters: `policy.scan` runs the detectors in this order and redacts each one's values before
the next looks, so the longest spans go first (a private key block, credentials in a URL, a JWT) and
every secret detector runs before any personal-data one.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from pipeline.sensitive.keyword_secrets import keyword_secret
from pipeline.sensitive.validators import (
    IP_LABELS,
    PHONE_LABELS,
    aws_secret,
    card,
    email,
    generic_secret,
    iban,
    ipv4,
    ipv6,
    jwt,
    phone,
    random_suffix,
    slack_webhook,
    url_credentials,
)

Kind = Literal["secret", "personal_data"]


@dataclass(frozen=True)
class Detector:
    type: str  # stable snake_case finding type, as in `sensitive.allow`
    kind: Kind
    placeholder: str  # what a redacted value becomes
    pattern: str  # candidates, for polars and Python alike
    check: Callable[[str], list[str]] = lambda candidate: [candidate]  # the values to redact, [] if none
    # Lowercase substrings every match contains; `ftprep validate` runs only hinted detectors, after a hint scan.
    hints: tuple[str, ...] = ()
    gate: str = ""  # without hints: a cheap pattern every match contains, so the costly one sees fewer texts
    # In a long text, characters after a hint within which a match containing it ends, or could end if the
    # text stopped there: a JWT's payload may run long; a labelled secret's value shows within a few dozen.
    reach: int = 4_096
    regex: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regex", re.compile(self.pattern, re.ASCII))

    def find(self, text: str, low: str | None = None) -> list[str]:
        """Python's way to the same values, for one text (`ftprep validate`, hinted detectors only).

        Python's `re` backtracks; the hinted patterns start at a literal or use bounded repeats, so
        they stay linear. The unhinted ones (phones, IP addresses) are written for polars' linear-time
        engine and are not meant for `re` over whole texts.
        """
        return [value for match in self.matches(text, low) for value in self.check(match.group(0))]

    def matches(self, text: str, low: str | None = None) -> list[re.Match]:
        """The pattern's matches, as one `finditer` over the text finds them; a long text is searched near its hints.

        `re` tries a case-insensitive alternation at every position: over a 20 MB text one pattern took 4.8 s.
        A match contains one of `hints` and starts at most LEAD characters before it, so only the regions
        around hints (found by `str.find`, in C) can hold one. Each region is searched bounded, for where the
        next match starts, and the match is then taken unbounded from that start, so a long value comes out
        whole and the search goes on from its end exactly as `finditer` would. `low` is `text.lower()`, when
        the caller has it.
        """
        if len(text) < LONG_TEXT or not self.hints:
            return list(self.regex.finditer(text))
        low = text.lower() if low is None else low
        found: list[re.Match] = []
        position = 0
        for region_start, region_end in hint_regions(low, self.hints, len(text), self.reach):
            position = max(position, region_start)
            while position < region_end:
                candidate = self.regex.search(text, position, region_end)
                if candidate is None:
                    break
                match = self.regex.match(text, candidate.start())
                if match is None:  # it matched only because the region ended there
                    position = candidate.start() + 1
                    continue
                found.append(match)
                position = max(match.end(), match.start() + 1)
        return found


LONG_TEXT = 65_536  # characters: shorter texts are searched whole
LEAD = 64  # characters a match may start before the hint it contains


def hint_regions(low: str, hints: tuple[str, ...], length: int, reach: int) -> list[tuple[int, int]]:
    """Where to search: from LEAD before a hint to `reach` after it, overlapping regions merged."""
    positions = sorted(at for hint in hints for at in all_positions(low, hint))
    regions: list[tuple[int, int]] = []
    for at in positions:
        start, end = max(0, at - LEAD), min(length, at + reach)
        if regions and start <= regions[-1][1]:
            regions[-1] = (regions[-1][0], max(regions[-1][1], end))
        else:
            regions.append((start, end))
    return regions


def all_positions(text: str, needle: str) -> list[int]:
    positions, at = [], text.find(needle)
    while at != -1:
        positions.append(at)
        at = text.find(needle, at + 1)
    return positions


PEM_LABEL = r"-----(?:BEGIN|END) [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
GENERIC_LABEL = (
    r"api[_ .-]?key|access[_ .-]?key|secret[_ .-]?key|client[_ .-]?secret|auth[_ .-]?token|access[_ .-]?token"
    r"|refresh[_ .-]?token|secret|token|password|passwd|pwd"
)
VALUE = r"[A-Za-z0-9_+/=.~-]"
# Bounded repeats (RFC 5321 sizes) keep Python's backtracking `re`, used by `ftprep validate`, linear.
EMAIL = r"\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b"
ASSIGN = r"""["']?\s*(?::=|=>|[:=])\s*["']?"""
# A secret word, then up to four words that lead to its value ("the AWS secret is ...", "with the secret ...",
# "key for the billing user: ...", "AccountKey=..."), then the value; the check redacts the value's group. A
# lead word is followed by a space, ':' or '=', so it never takes the start of a value (`wJalr/K7M...`).
SPACE = r"[ \t\r\n]"  # not \s: polars' \s is Unicode's, `re.ASCII`'s is not
SECRET_WORD = r"secret|token|passw(?:or)?d|passphrase|credential|key"
KEYWORD_VALUE = (
    rf"(?i:(?:{SECRET_WORD})s?)(?:[ \t]+[A-Za-z]{{1,12}}){{0,4}}"
    rf"(?:{SPACE}{{0,4}}[:=]{SPACE}{{0,4}}|{SPACE}{{1,4}})[\"'`(]?"
    r"(?P<value>[A-Za-z0-9+/_=.~-]{16,})"
)

DETECTORS: list[Detector] = [
    Detector(
        "private_key", "secret", "[PRIVATE_KEY]",
        # A whole block; a block cut before its END line takes the base64 lines that follow the BEGIN line.
        PEM_LABEL.replace("(?:BEGIN|END)", "BEGIN")
        + r"(?:[\s\S]*?" + PEM_LABEL.replace("(?:BEGIN|END)", "END") + r"|(?:(?:\s|\\n)*[A-Za-z0-9+/=]{16,})*)",
        hints=("-----begin",),
    ),
    Detector(
        "url_credentials", "secret", "[URL_CREDENTIALS]",
        r"""\b[A-Za-z][A-Za-z0-9+.-]{0,30}://[^\s:/?#@\[\]"'<>]*:[^\s/?#@\[\]"'<>]+@""", url_credentials, ("@",),
    ),
    Detector("jwt", "secret", "[JWT]", r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*", jwt, ("eyj",)),
    Detector("anthropic_api_key", "secret", "[API_KEY]", r"\bsk-ant-[A-Za-z0-9_-]{20,}", random_suffix(7), ("sk-",)),
    Detector("openai_api_key", "secret", "[API_KEY]", r"\bsk-[A-Za-z0-9_-]{20,}", random_suffix(3), ("sk-",)),
    Detector(
        "stripe_key", "secret", "[API_KEY]", r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}", random_suffix(8), ("sk_", "rk_")
    ),
    Detector("aws_access_key_id", "secret", "[API_KEY]", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", hints=("akia", "asia")),
    Detector(
        "aws_secret_access_key", "secret", "[API_KEY]",
        rf"(?i:aws[_ .-]?secret[_ .-]?(?:access[_ .-]?)?key|secret[_ .-]?access[_ .-]?key){ASSIGN}"
        r"[A-Za-z0-9/+=]{40,}",
        aws_secret, ("secret",),
    ),
    Detector(
        "github_token", "secret", "[API_KEY]", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})",
        hints=("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
    ),
    Detector(
        "slack_token", "secret", "[API_KEY]", r"\bxox[baprs]-[A-Za-z0-9-]{10,}",
        lambda candidate: [candidate] if any(char.isdigit() for char in candidate) else [], ("xox",),
    ),
    Detector(
        "slack_webhook", "secret", "[WEBHOOK_URL]",
        r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]{16,}", slack_webhook,
        ("hooks.slack.com",),
    ),
    Detector("google_api_key", "secret", "[API_KEY]", r"\bAIza[0-9A-Za-z_-]{35}", hints=("aiza",)),
    Detector("huggingface_token", "secret", "[API_KEY]", r"\bhf_[A-Za-z0-9]{30,}", random_suffix(3), ("hf_",)),
    Detector(
        "generic_secret", "secret", "[API_KEY]",
        rf"(?i:{GENERIC_LABEL}){ASSIGN}{VALUE}{{16,}}|(?i:\bbearer)\s+{VALUE}{{20,}}",
        generic_secret, ("key", "token", "secret", "passw", "pwd", "bearer"), reach=128,
    ),
    Detector(
        "generic_secret", "secret", "[API_KEY]", KEYWORD_VALUE, keyword_secret(re.compile(KEYWORD_VALUE, re.ASCII)),
        ("secret", "token", "passw", "passphrase", "credential", "key"), reach=256,
    ),
    # A card number is a payment credential, so it is a secret: redacted by default.
    Detector("card", "secret", "[CARD]", r"\b[0-9](?:[ -]?[0-9]){12,18}\b", card, gate=r"[0-9]{4}"),
    Detector(
        "email", "personal_data", "[EMAIL]", EMAIL,
        email, ("@",),
    ),
    Detector(
        "iban", "personal_data", "[IBAN]", r"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b", iban,
        gate=r"[A-Z]{2}[0-9]{2}",
    ),
    Detector(
        "ip_address", "personal_data", "[IP_ADDRESS]",
        r"[A-Za-z0-9_.]*(?:[0-9A-Fa-f]{0,4}:){2,7}[A-Za-z0-9_.]*", ipv6, gate=r":[0-9A-Fa-f]{0,4}:",
    ),
    Detector(
        "ip_address", "personal_data", "[IP_ADDRESS]",
        rf"(?i:\b(?:{IP_LABELS})\b[.:]?[ ]?|§[ ]?)?[A-Za-z0-9_.=~^@<>!-]*"
        r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}[A-Za-z0-9_.]*",
        ipv4, gate=r"[0-9]\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]",
    ),
    Detector(
        "phone", "personal_data", "[PHONE]",
        rf"(?i:\b(?:{PHONE_LABELS})\b[.:#]?[ ]?)?[A-Za-z0-9_#/.+=@-]*\(?[0-9][0-9 ().-]{{6,}}[0-9][A-Za-z0-9_/+-]*"
        r"(?:\.[0-9]+)*",
        phone, gate=r"[0-9][0-9 ().-]{6,}[0-9]",
    ),
]  # fmt: skip

TYPES = tuple(dict.fromkeys(detector.type for detector in DETECTORS))
HINTED = [detector for detector in DETECTORS if detector.hints]
