"""Validators that turn a detector's regex candidate into findings, or into nothing.

Each takes one candidate string (a match of the detector's pattern, found by polars or by `re`) and
returns the values to redact: [] when the candidate is not a finding after all. They hold what a
regular expression shared by two engines cannot: checksums (Luhn, mod-97), a JWT header that must
decode, look-arounds for the context of a phone number or an IP address, and the exemptions (role
mailboxes, freephone lines, template passwords, version numbers). They run on candidates only, which
are few, so plain Python is fine here.
"""

import base64
import ipaddress
import json
import math
import re
from collections import Counter
from collections.abc import Callable

from pipeline.sensitive.mailboxes import personal_mailbox


def looks_random(value: str) -> bool:
    """Generated keys mix lower case, upper case and digits; long ones at least two of them."""
    classes = sum(any(test(char) for char in value) for test in (str.islower, str.isupper, str.isdigit))
    return classes == 3 or (classes == 2 and len(value) >= 32)


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    return -sum(n / len(value) * math.log2(n / len(value)) for n in Counter(value).values())


def random_suffix(prefix_length: int) -> Callable[[str], list[str]]:
    return lambda candidate: [candidate] if looks_random(candidate[prefix_length:]) else []


def assigned(candidate: str) -> str:
    """The value of `label = value`, `label: "value"` or `Bearer value`; labels hold no ':' or '='."""
    if re.match(r"(?i)bearer\s", candidate):
        return candidate[6:].strip()
    separator = re.search(r":=|=>|[:=]", candidate)
    return candidate[separator.end() :].strip().strip("\"'") if separator else ""


FILE_NAME = re.compile(r".*\.[A-Za-z][A-Za-z0-9]{0,4}")  # `secret: config/secrets/production2024.yml.enc`
PLACEHOLDER_WORDS = ("your", "xxxx", "example", "placeholder", "changeme", "redacted", "dummy")


def generic_secret(candidate: str) -> list[str]:
    """A labelled value counts when it looks generated: long, letters and digits, a long run, high entropy."""
    value = assigned(candidate)
    longest_run = max((len(run) for run in re.findall(r"[A-Za-z0-9]+", value)), default=0)
    plausible = (
        len(value) >= 16
        and any(char.isdigit() for char in value)
        and any(char.isalpha() for char in value)
        and longest_run >= 10
        and entropy(value) >= 3.0
        and not any(word in value.lower() for word in PLACEHOLDER_WORDS)
        and not FILE_NAME.fullmatch(value)
    )
    return [value] if plausible else []


def aws_secret(candidate: str) -> list[str]:
    value = assigned(candidate)
    return [value] if len(value) == 40 and looks_random(value) else []


def slack_webhook(candidate: str) -> list[str]:
    """A webhook URL posts to its channel: a credential, unless its secret is Slack's documented XXXX... stand-in."""
    secret = candidate.rstrip("/").rsplit("/", 1)[-1]
    return [candidate] if "xxxx" not in secret.lower() and entropy(secret) >= 3.0 else []


def jwt(candidate: str) -> list[str]:
    """Three base64url segments whose first decodes to a JSON object naming an `alg`."""
    header = candidate.split(".")[0]
    try:
        decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except (ValueError, RecursionError):
        return []
    return [candidate] if isinstance(decoded, dict) and "alg" in decoded else []


TEMPLATE_PASSWORDS = {"password", "pass", "passwd", "pwd", "secret", "changeme", "xxx", "xxxx", "****", "..."}


def url_credentials(candidate: str) -> list[str]:
    """`scheme://user:password@`: the user and password are redacted; templates like `${PASSWORD}` are not."""
    userinfo = candidate.split("://", 1)[1][:-1]
    password = userinfo.partition(":")[2]
    if not password or password.lower() in TEMPLATE_PASSWORDS or password[0] in "<{$%*" or set(password) == {"x"}:
        return []
    return [userinfo]


def luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


CARD_PREFIX = re.compile(r"4|5[1-5]|2[2-7]|3[0-9]|6")


def card(candidate: str) -> list[str]:
    """14-19 digits of a card network's prefix, Luhn-valid, unbroken or grouped in fours (Amex: 4-6-5)."""
    groups = re.split(r"[ -]", candidate)
    digits = "".join(groups)
    grouped = (
        len(groups) == 1
        or (len(set(re.findall(r"[ -]", candidate))) == 1 and all(len(group) == 4 for group in groups[:-1]))
        or [len(group) for group in groups] in ([4, 6, 5], [4, 6, 4])
    )
    # 13 digits (old Visa) is left out: that is an EAN barcode far more often; 14 (Diners) only as 4-6-4.
    length_ok = 15 <= len(digits) <= 19 or (len(digits) == 14 and len(groups) == 3)
    valid = grouped and length_ok and CARD_PREFIX.match(digits) and len(set(digits)) > 1
    return [candidate] if valid and luhn(digits) else []


# IBAN length per country (ISO 13616 registry).
IBAN_LENGTHS = {
    entry[:2]: int(entry[2:])
    for entry in (
        "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DK18 DO28 EE20 EG29 ES24 "
        "FI18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 "
        "LI21 LT20 LU20 LV21 MC27 MD24 ME22 MK19 MR27 MT31 MU30 NL18 NO15 PK24 PL28 PS29 PT25 QA29 RO24 RS22 SA24 "
        "SC31 SE24 SI19 SK24 SM27 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20"
    ).split()
}


def iban(candidate: str) -> list[str]:
    """A known country's length and a mod-97 remainder of 1; words absorbed after the number are left out."""
    length = IBAN_LENGTHS.get(candidate[:2])
    compact = candidate.replace(" ", "")
    if length is None or len(compact) < length:
        return []
    end = next(index for index in range(len(candidate) + 1) if len(candidate[:index].replace(" ", "")) == length)
    if end < len(candidate) and candidate[end] != " ":
        return []
    number = compact[4:length] + compact[:4]
    return [candidate[:end]] if int("".join(str(int(char, 36)) for char in number)) % 97 == 1 else []


def ipv4(candidate: str) -> list[str]:
    """Four octets 0-255 that are not a version or a section number (`v1.2.3.4`, `section 1.2.3.4`, `1.2.3.4.5`).

    Four small numbers after no label (`see 1.2.3.4`) stay an address: text cannot tell them apart, and
    a missed address is the costlier mistake. Addresses that name no one are left out: 0.x (unspecified),
    127.x (loopback) and 255.x (netmasks, broadcast).
    """
    if IP_LABEL.match(candidate):
        return []
    found = [match.group(0) for match in IPV4.finditer(candidate)]
    return [value for value in found if not value.startswith(("0.", "127.", "255."))]


def ipv6(candidate: str) -> list[str]:
    """What `ipaddress` accepts, with a digit in it (`Add::Bb` in C++ is not an address), not `::` or `::1`."""
    value = candidate.rstrip(".")
    try:
        address = ipaddress.IPv6Address(value)
    except ValueError:
        return []
    named = any(char.isdigit() for char in value) and not (address.is_loopback or address.is_unspecified)
    return [value] if named else []


def email(candidate: str) -> list[str]:
    """Addresses of a person; `icon@2x.png` is a file name and `engineer@gateway.internal` a login on a host
    no mail reaches. Mailboxes of a role or team and documentation addresses name no one (mailboxes.py)."""
    local, _, domain = candidate.rpartition("@")
    if domain.rsplit(".", 1)[-1].lower() in NOT_MAIL_DOMAINS or not personal_mailbox(local, domain):
        return []
    return [candidate]


def phone(candidate: str) -> list[str]:
    """International (+CC), North American and trunk-0 national numbers; freephone lines are businesses',
    and a number labelled as something else (`lot 03 4411 2290`, `order 0042 1337 9001`) is that."""
    if PHONE_LABEL.match(candidate):
        return []
    # Numbers from the candidate's start, one after another: `DE88 3704 0044 0532` holds no phone at `0532`.
    found, position = [], 0
    while match := PHONE.match(candidate, position):
        position = match.end() + 1  # past the space before the next number
        digits = re.sub(r"\(0\)|[^0-9]", "", match.group(0))
        shaped = (
            (match.group("intl") and 8 <= len(digits) <= 15)
            or match.group("nanp")
            or (match.group("national") and 9 <= len(digits) <= 12)
        )
        if shaped and not FREEPHONE.match(match.group(0)):
            found.append(match.group(0))
    return found


NOT_MAIL_DOMAINS = set(
    "png jpg jpeg gif svg webp ico bmp tif tiff pdf internal local localdomain lan corp home intranet".split()
)
OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
# Before an address: not glued to a word, a dotted number or a version pin (==, >=, ~=, ^); after: no fifth part.
# `user@10.0.0.5` and `ip=10.0.0.5` are addresses.
IPV4 = re.compile(rf"(?<![\w.~^-])(?<![=<>!~]=){OCTET}(?:\.{OCTET}){{3}}(?![\w]|\.[0-9])", re.ASCII)
IP_LABELS = (
    "version|ver|v|release|rel|build|firmware|fw|software|sw|section|sec|subsection|chapter|ch|clause|article|art|"
    "figure|fig|table|tab|step|item|appendix|annex|rule|paragraph|para|part|no|nr|oid|rfc|iso|en|din|iec|ieee|"
    "standard|spec|edition|patch|update|hotfix|revision|rev|kb"
)
IP_LABEL = re.compile(rf"(?i)(?:{IP_LABELS})\b|§", re.ASCII)
PHONE_LABELS = (
    "lot|batch|order|ref|reference|invoice|inv|serial|sn|sku|part|p/n|pn|item|article|model|account|acct|"
    "ticket|pin|isbn|ean|gtin|upc|vat|tracking|parcel|policy|contract|meter|mpan|mprn"
)
PHONE_LABEL = re.compile(rf"(?i)(?:{PHONE_LABELS})\b", re.ASCII)
# Strict phone shapes, with the context a polars candidate carries (its glued characters) checked here.
PHONE = re.compile(
    r"""(?<![\w+\#/.=@-])
    (?:(?P<intl>\+[1-9][0-9]{0,2}(?:[ .-]?\(0\))?(?:[ .-]?\(?[0-9]{1,4}\)?){2,6})
    |(?P<nanp>(?:1[ .-]?)?(?:\([2-9][0-9]{2}\)[ ]?|[2-9][0-9]{2}[ .-])[2-9][0-9]{2}[ .-][0-9]{4})
    |(?P<national>0[1-9][0-9]{0,4}(?:[ -][0-9]{2,8}){1,4}|0[1-9](?:\.[0-9]{2}){4}))
    (?![\w+]|[.-][0-9])""",
    re.ASCII | re.VERBOSE,
)
# Freephone numbers (0800 in Europe, 1-800/888/877/866/855/844/833 in North America) are business lines.
FREEPHONE = re.compile(r"(?:\+[0-9]{1,3}[ .-]?(?:\(0\)[ .-]?)?|0|1?[ .-]?\(?)(?:80[08]|8([3-8])\1)", re.ASCII)
