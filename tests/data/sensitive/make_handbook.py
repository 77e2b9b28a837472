"""Writes tests/data/sensitive/handbook.jsonl: handbook-shaped lines, secrets written the way people write them and
what must not be a finding (team mailboxes, documentation addresses, ids, hashes, versions, paths, words).

Each line has `case` (what it tests) and `findings` (type and span of each planted value; none on a negative).
A planted value is written ⟦type|value⟧ below. Values are seeded random strings of the real shape. Run from the
repository root:

    python tests/data/sensitive/make_handbook.py tests/data/sensitive/handbook.jsonl
"""

import base64
import json
import random
import re
import string
import sys
import uuid

rng = random.Random(20261204)
ALNUM = string.ascii_letters + string.digits
B64 = ALNUM + "+/"
HEX = "0123456789abcdef"


def rand(chars: str, n: int) -> str:
    tests = [t for t in (str.islower, str.isupper, str.isdigit) if any(t(c) for c in chars)]
    while True:
        s = "".join(rng.choice(chars) for _ in range(n))
        if all(any(t(c) for c in s) for t in tests):
            return s


def b64(n_bytes: int) -> str:
    return base64.b64encode(bytes(rng.randrange(256) for _ in range(n_bytes))).decode()


def pem_one_line(label: str, n_bytes: int) -> str:
    """A PEM block as JSON and .env files hold it: one line, newlines written as a literal backslash-n."""
    body = b64(n_bytes)
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----\\n" + "\\n".join(lines) + f"\\n-----END {label}-----\\n"


def slack_webhook() -> str:
    ids = string.ascii_uppercase + string.digits
    return f"https://hooks.slack.com/services/T{rand(ids, 8)}/B{rand(ids, 10)}/{rand(ALNUM, 24)}"


aws = [rand(B64, 40) for _ in range(4)]
azure = [b64(64) for _ in range(3)]
gcp_key_id = rand(HEX, 40)
JWT_PAYLOAD = (
    base64.urlsafe_b64encode(b'{"sub":"a1b2","iss":"https://idp.int.identitysandbox.gov"}').decode().rstrip("=")
)

POSITIVE = [
    # An AWS secret access key with no `aws_secret_access_key =` label (issue 17).
    ("unlabelled_aws_secret", f"Log in to the console with the secret ⟦generic_secret|{aws[0]}⟧ and rotate it."),
    ("unlabelled_aws_secret", f"The AWS secret is ⟦generic_secret|{aws[1]}⟧, so keep it out of the wiki."),
    ("unlabelled_aws_secret", f"Secret key for the billing user: ⟦generic_secret|{aws[2]}⟧"),
    ("unlabelled_aws_secret", f"Your secret access key is `⟦generic_secret|{aws[3]}⟧`."),
    (
        "unlabelled_aws_secret",
        "Sign requests with the secret ⟦generic_secret|wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY⟧.",
    ),
    (
        "azure_storage",
        "Set AZURE_STORAGE_CONNECTION_STRING to DefaultEndpointsProtocol=https;AccountName=ttsreports;"
        f"AccountKey=⟦generic_secret|{azure[0]}⟧;EndpointSuffix=core.windows.net before the export.",
    ),
    ("azure_storage", f"The storage account key is ⟦generic_secret|{azure[1]}⟧ (key1 in the portal)."),
    ("azure_storage", f"Primary key: ⟦generic_secret|{azure[2]}⟧"),
    (
        "gcp_service_account",
        '{"type": "service_account", "project_id": "tts-analytics", '
        f'"private_key_id": "{gcp_key_id}", '
        f'"private_key": "⟦private_key|{pem_one_line("PRIVATE KEY", 1190)}⟧", '
        '"client_email": "exporter@tts-analytics.iam.gserviceaccount.com", "client_id": "104857600012345678901"}',
    ),
    ("gcp_api_key", f"The Maps embed uses key ⟦google_api_key|AIza{rand(ALNUM + '-_', 35)}⟧ from the shared project."),
    (
        "gcp_api_key",
        f"curl 'https://www.googleapis.com/youtube/v3/videos?id=x&key=⟦google_api_key|AIza{rand(ALNUM, 35)}⟧'",
    ),
    ("slack_webhook", f"The bot posts to ⟦slack_webhook|{slack_webhook()}⟧ when a deploy fails."),
    ("slack_webhook", f"SLACK_WEBHOOK_URL=⟦slack_webhook|{slack_webhook()}⟧"),
    ("private_key_one_line", f'DEPLOY_KEY="⟦private_key|{pem_one_line("RSA PRIVATE KEY", 600)}⟧"'),
    ("private_key_one_line", f"key: ⟦private_key|{pem_one_line('EC PRIVATE KEY', 120)}⟧"),
    ("github_token", f"Run `gh auth login --with-token` and paste ⟦github_token|ghp_{rand(ALNUM, 36)}⟧ when asked."),
    (
        "github_token",
        f"The fine-grained token ⟦github_token|github_pat_{rand(ALNUM, 22)}_{rand(ALNUM, 59)}⟧ reads the repo.",
    ),
    (
        "jwt",
        f"The login.gov sandbox returned ⟦jwt|eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.{JWT_PAYLOAD}.{rand(ALNUM + '-_', 86)}⟧"
        " as the id token.",
    ),
    ("hex_token", f"The API token is ⟦generic_secret|{rand(HEX, 40)}⟧; the cloud.gov team can rotate it."),
    ("hex_token", f"Our New Relic license key: ⟦generic_secret|{rand(HEX, 40)}⟧"),
    ("personal_email", "Questions about the form go to ⟦email|janie.burmeister@gsa.gov⟧ or her deputy."),
    ("personal_email", "Ask ⟦email|jdoe@agency.gov⟧ for a GFE laptop, or ⟦email|Ahmed.Mahdi@contractor-co.com⟧."),
]

NEGATIVE = [
    ("role_mailbox", "Email people-ops@gsa.gov, finance@gsa.gov or travel@gsa.gov with the form attached."),
    ("role_mailbox", "Reach TTS People Operations at TTS-PeopleOps@gsa.gov or tts-travel@gsa.gov for travel."),
    ("role_mailbox", "Payroll questions: kc-payroll.finance@gsa.gov; badge questions: hspd12.security@gsa.gov."),
    ("role_mailbox", "Report it to itservicedesk@gsa.gov and copy security@gsa.gov and privacy@gsa.gov."),
    ("role_mailbox", "Mail from noreply@github.com or no-reply@accounts.google.com is automated."),
    ("role_mailbox", "Write to 18f-team@gsa.gov, devops@gsa.gov or cloud-gov-support@gsa.gov."),
    ("role_mailbox", "Send the invoice to support+billing@login.gov, hr@gsa.gov or help@cloud.gov."),
    ("role_mailbox", "The inbox tts-tech-operations@gsa.gov answers within a day; so does 1800Ftenantsupport@gsa.gov."),
    ("documentation_address", "For example, alice@email.com and bob@example.com are both valid addresses."),
    ("documentation_address", "Set the sender to you@yourdomain.com or jane@yourcompany.org in the template."),
    ("documentation_address", "Use name@company.com, user@domain.com or test@test.com while testing."),
    ("documentation_address", "git config user.email maria.keller@example.org, or anything@mail.example.co.uk."),
    ("documentation_address", "Addresses like a@b.example, admin@host.invalid, dev@app.test never receive mail."),
    ("documentation_address", "Log in as firstname.lastname@gsa.gov with your PIV card."),
    ("uuid", f"The token is {uuid.UUID(int=rng.getrandbits(128), version=4)} in the request log."),
    ("uuid", f"Tenant ID and client ID: key {uuid.UUID(int=rng.getrandbits(128), version=4)}."),
    ("version_string", "Pin the token library to v2.3.1-beta.4+build.20240101 until the key rotation ships."),
    ("version_string", "The secret manager agent 1.22.3.4567890123456 reads the key store."),
    ("git_commit", f"See https://github.com/18F/handbook/commit/{rand(HEX, 40)} for the token change."),
    ("git_commit", f"The key fix landed in commit {rand(HEX, 40)}."),
    ("git_commit", f"GPG key ID: {rand(HEX, 40).upper()}"),
    ("hash", f"The SHA-256 of the installer is {rand(HEX, 64)}; compare it before you install."),
    (
        "base64_image",
        "The key diagram: ![](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==)",
    ),
    ("long_word", "The key is Pneumonoultramicroscopicsilicovolcanoconiosis, the longest word."),
    ("long_word", "The token internationalization-localization-accessibility work is tracked in Jira."),
    ("identifier", "Set the token lifetime with kubernetesServiceAccountToken2024 in the manifest."),
    ("identifier", "The key com.example.app.ServiceProvider2 names the provider class."),
    ("identifier", "Secret names follow MAX_RETRY_ATTEMPTS_PER_SECOND_10 style."),
    ("file_path", "The key lives in ~/.ssh/id_ed25519 and the token in /etc/ftprep/credentials2024.json."),
    ("file_path", "Secret: config/secrets/production2024.yml.enc is decrypted at deploy time."),
    ("placeholder", "Paste your key: YOUR_API_KEY_HERE_1234567890, then restart the app."),
    (
        "placeholder",
        "The webhook is https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX in the docs.",
    ),
    ("placeholder", "token xxxxxxxxxxxxxxxxxxxxxxxx1 stands for the real one."),
    (
        "url",
        "The token endpoint is https://oauth2.googleapis.com/token and the key URL https://www.googleapis.com/oauth2/v3/certs.",
    ),
]


def parsed(template: str) -> tuple[str, list[dict]]:
    text, findings = "", []
    for part in re.split(r"(⟦[a-z_]+\|.*?⟧)", template, flags=re.S):
        if m := re.fullmatch(r"⟦([a-z_]+)\|(.*)⟧", part, flags=re.S):
            findings.append({"type": m.group(1), "start": len(text), "end": len(text) + len(m.group(2))})
            text += m.group(2)
        else:
            text += part
    return text, findings


with open(sys.argv[1], "w", encoding="utf-8") as f:
    for case, template in [*POSITIVE, *NEGATIVE]:
        text, findings = parsed(template)
        f.write(json.dumps({"case": case, "text": text, "findings": findings}, ensure_ascii=False) + "\n")
print(len(POSITIVE), "positive lines,", len(NEGATIVE), "negative lines")
