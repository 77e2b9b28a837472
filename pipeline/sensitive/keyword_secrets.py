"""Secrets without a label: a generated-looking value right after a secret word, as secret scanners find them.

`AWS_SECRET_ACCESS_KEY=...` has a label the specific detectors know; a handbook writes "the AWS secret is
wJalr..." or "log in with the secret wJalr...". detect-secrets (KeywordDetector with its HighEntropyString
plugins) and gitleaks (the generic-api-key rule: a keyword, a value, an entropy floor) find such values the same
way: a secret word nearby, then a value whose Shannon entropy only generated strings reach.
"""

import re
from collections.abc import Callable

from pipeline.sensitive.validators import FILE_NAME, entropy

# After a secret word, a value counts as generated when it has the entropy secret scanners require: gitleaks'
# generic-api-key rule takes 3.5 bits per character after its keywords (key, token, secret, password, ...),
# detect-secrets' HexHighEntropyString 3.0 for hex (its alphabet tops out at 4 bits).
KEYWORD_ENTROPY, HEX_ENTROPY = 3.5, 3.0
MIN_KEYWORD_VALUE, MIN_HEX_VALUE = 20, 32
UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
VERSION = re.compile(r"v?[0-9]+(?:\.[0-9]+)+")
VOWELS = set("aeiouAEIOU")


def keyword_secret(pattern: re.Pattern) -> Callable[[str], list[str]]:
    """The value after a secret word with no label (`the AWS secret is wJalr...`), when it looks generated.

    Entropy alone passes identifiers (`com.example.app.ServiceProvider2` has 3.8 bits), so a value must also
    hold a digit and a run of ten or more letters and digits, and not be `wordy`. Left out as detect-secrets
    does: UUIDs, which after `token` or `key` are ids far more often than secrets (gitleaks would flag 96% of
    them: they carry 3.7 bits); and versions and file names.
    """

    def check(candidate: str) -> list[str]:
        found = pattern.fullmatch(candidate)
        value = found.group("value").rstrip(".") if found else ""  # a sentence's full stop, not base64's '='
        lead = candidate[: found.start("value")].lower().split() if found else []
        if (
            (lead and lead[-1].strip(":=\"'`(") in NAMES_NO_SECRET)  # "key fix landed in commit 3f9a8c7d..."
            or value.startswith(KNOWN_PREFIXES)  # its own detector's, which runs first
            or UUID.fullmatch(value)
            or VERSION.match(value)
            or FILE_NAME.fullmatch(value)
            or any(word in value.lower() for word in TEMPLATE_WORDS)
        ):
            return []
        if re.fullmatch(r"[0-9a-f]+|[0-9A-F]+", value):
            hexadecimal = len(value) >= MIN_HEX_VALUE and entropy(value) >= HEX_ENTROPY
            return [value] if hexadecimal and any(char.isalpha() for char in value) else []
        longest_run = max((len(run) for run in re.findall(r"[A-Za-z0-9]+", value)), default=0)
        generated = (
            len(value) >= MIN_KEYWORD_VALUE
            and any(char.isdigit() for char in value)
            and longest_run >= 10
            and entropy(value) >= KEYWORD_ENTROPY
            and not wordy(value)
        )
        return [value] if generated else []

    return check


def wordy(value: str) -> bool:
    """Words run together (`ServiceProvider2`, `kubernetes_token_ttl_seconds`): few digits, letters in one case or
    capitals only at word starts, and vowels near English's share (38%; a random key's letters hold 19%); or
    three or more parts each of letters or of digits only (`x-amz-security-token-2024-05`, `MAX_RETRIES_10`)."""
    parts = re.split(r"[-_.]", value)
    if len(parts) >= 3 and all(re.fullmatch(r"[A-Za-z]+|[0-9]+", part) for part in parts):
        return True
    letters = [char for char in value if char.isalpha()]
    if not letters:
        return False
    upper = sum(char.isupper() for char in letters) / len(letters)
    vowels = sum(char in VOWELS for char in letters) / len(letters)
    digits = sum(char.isdigit() for char in value) / len(value)
    return digits < 0.15 and (upper <= 0.2 or upper >= 0.8) and vowels >= 0.3


KNOWN_PREFIXES = tuple("sk- sk_ rk_ ghp_ gho_ ghu_ ghs_ ghr_ github_pat_ xox AIza hf_ AKIA ASIA eyJ".split())
# A value named as one of these identifies or checks something, it unlocks nothing (`GPG key id 3AA5C343...`).
NAMES_NO_SECRET = set("commit sha hash checksum digest revision rev id uuid version fingerprint".split())
TEMPLATE_WORDS = ("your", "xxxx", "placeholder", "changeme", "redacted", "dummy")
