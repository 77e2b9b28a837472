"""Writes tests/data/sensitive/labelled.jsonl: realistic sentences with planted secrets and personal data.

Every value is fake but shaped like the real thing (seeded random keys of the right prefix, length and
alphabet; test card numbers; published example IBANs). A planted value is written ⟦type|value⟧ below;
the output has the plain text and each value's type and span. Run from the repository root:

    python tests/data/sensitive/make_labelled.py tests/data/sensitive/labelled.jsonl
"""

import base64
import json
import random
import re
import string
import sys

rng = random.Random(20240917)
ALNUM = string.ascii_letters + string.digits
B64URL = ALNUM + "-_"


def rand(chars, n):
    tests = [t for t in (str.islower, str.isupper, str.isdigit) if any(t(c) for c in chars)]
    while True:
        s = "".join(rng.choice(chars) for _ in range(n))
        if all(any(t(c) for c in s) for t in tests):
            return s


def b64url(obj):
    return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")


def jwt(alg, payload):
    return f"{b64url({'alg': alg, 'typ': 'JWT'})}.{b64url(payload)}.{rand(B64URL, 43)}"


def pem(label, lines=6, sep="\n", end=True):
    body = sep.join(rand(ALNUM + "+/", 64) for _ in range(lines)) + sep + rand(ALNUM + "+/", 24) + "=="
    block = f"-----BEGIN {label}-----{sep}{body}"
    return block + (f"{sep}-----END {label}-----" if end else "")


openai = [
    "sk-proj-" + rand(B64URL, 74) + "T3BlbkFJ" + rand(B64URL, 74),
    "sk-" + rand(ALNUM, 48),
    "sk-svcacct-" + rand(B64URL, 60),
]
anthropic = ["sk-ant-api03-" + rand(B64URL, 93) + "AA", "sk-ant-admin01-" + rand(B64URL, 80) + "AA"]
aws_id = [
    "AKIA" + rand(string.ascii_uppercase + string.digits, 16),
    "ASIA" + rand(string.ascii_uppercase + string.digits, 16),
    "AKIAIOSFODNN7EXAMPLE",
]
aws_secret = [rand(ALNUM + "/+", 40), "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", rand(ALNUM + "/+", 40)]
github = [
    "ghp_" + rand(ALNUM, 36),
    "gho_" + rand(ALNUM, 36),
    "ghs_" + rand(ALNUM, 36),
    "ghu_" + rand(ALNUM, 36),
    "ghr_" + rand(ALNUM, 36),
    "github_pat_" + rand(ALNUM, 22) + "_" + rand(ALNUM, 59),
]
slack = [
    "xoxb-" + rand(string.digits, 12) + "-" + rand(string.digits, 13) + "-" + rand(ALNUM, 24),
    "xoxp-"
    + rand(string.digits, 12)
    + "-"
    + rand(string.digits, 12)
    + "-"
    + rand(string.digits, 13)
    + "-"
    + rand("0123456789abcdef", 32),
    "xoxa-2-" + rand(ALNUM, 40),
]
google = ["AIza" + rand(B64URL, 35), "AIza" + rand(B64URL, 35)]
stripe = ["sk_live_" + rand(ALNUM, 24), "rk_live_" + rand(ALNUM, 99), "sk_test_" + rand(ALNUM, 24)]
hf = ["hf_" + rand(string.ascii_letters, 34), "hf_" + rand(ALNUM, 34)]
hexkey = [rand("0123456789abcdef", 32), rand("0123456789abcdef", 40), rand("0123456789abcdef", 24)]
generic = [rand(ALNUM, 24), rand(ALNUM, 32), rand(ALNUM + "_-", 40), rand(ALNUM, 20)]
bearer = [rand(ALNUM, 40), rand(ALNUM + "-_.", 36)]
jwts = [
    jwt("HS256", {"sub": "1234567890", "name": "Jane Doe", "iat": 1516239022}),
    jwt("RS256", {"iss": "https://auth.example.com/", "sub": "auth0|64f1c2", "aud": "api", "exp": 1735689600}),
    jwt("ES256", {"sid": "a8f3", "scope": "read:orders"}),
]

T = [
    # private keys
    (
        "Here is the deploy key, paste it into the CI settings:\n⟦private_key|{}⟧\nThen rerun the pipeline.".format(
            pem("RSA PRIVATE KEY")
        )
    ),
    (
        "The bastion host accepts this one: ⟦private_key|{}⟧ (rotate it after the audit)".format(
            pem("OPENSSH PRIVATE KEY", 4)
        )
    ),
    (
        'In the service account file the field reads "private_key": "⟦private_key|{}⟧", followed by the client e-mail.'.format(
            pem("PRIVATE KEY", 5, sep="\\n")
        )
    ),
    ("Customer pasted a truncated key into the ticket: ⟦private_key|{}⟧".format(pem("EC PRIVATE KEY", 3, end=False))),
    ("For signing releases we used ⟦private_key|{}⟧ until March.".format(pem("PGP PRIVATE KEY BLOCK", 3))),
    ("Old gateway certificate and key:\n⟦private_key|{}⟧".format(pem("ENCRYPTED PRIVATE KEY", 4))),
    # URL credentials
    (
        "Connect with postgres://⟦url_credentials|app_user:Vq8rLm2xTz94⟧@db-prod.internal:5432/orders and run the migration."
    ),
    ("The staging cache is at redis://⟦url_credentials|:s3cretRedisPw7⟧@cache.staging.example.net:6379/0."),
    (
        "Clone it with https://⟦url_credentials|deploy-bot:Xk9mQ2vL7pR4⟧@git.example.com/platform/infra.git so the hook works."
    ),
    (
        "MONGO_URI=mongodb+srv://⟦url_credentials|reporting:Hn3bWq8ZpL5v⟧@cluster0.ab12c.mongodb.net/analytics?retryWrites=true"
    ),
    ("The nightly export uploads to ftp://⟦url_credentials|backup:Winter2024xQ⟧@files.example.org/exports/ at 02:00."),
    ("AMQP_URL is amqp://⟦url_credentials|orders-svc:7fG2kP9wXq⟧@rabbit.internal:5672/%2F in the old compose file."),
    # JWT
    (f"The support agent sent the session token ⟦jwt|{jwts[0]}⟧ in the chat, which gives full access."),
    (f"curl -H 'Authorization: Bearer ⟦jwt|{jwts[1]}⟧' https://api.example.com/v2/orders"),
    (f"Cookie: session=⟦jwt|{jwts[2]}⟧; Path=/; HttpOnly"),
    # OpenAI
    (f"Our OpenAI key is ⟦openai_api_key|{openai[0]}⟧, please keep it out of the repo."),
    (f"export OPENAI_API_KEY=⟦openai_api_key|{openai[1]}⟧"),
    (f'client = OpenAI(api_key="⟦openai_api_key|{openai[2]}⟧")'),
    # Anthropic
    (f"The Claude integration uses ⟦anthropic_api_key|{anthropic[0]}⟧ from the shared vault."),
    (f'ANTHROPIC_API_KEY="⟦anthropic_api_key|{anthropic[1]}⟧" was committed by mistake in .env.example.'),
    # AWS
    (f"AWS access key id ⟦aws_access_key_id|{aws_id[0]}⟧ belongs to the billing-export user."),
    (
        f"[default]\naws_access_key_id = ⟦aws_access_key_id|{aws_id[1]}⟧\naws_secret_access_key = ⟦aws_secret_access_key|{aws_secret[0]}⟧"
    ),
    (
        f"The docs example pair is ⟦aws_access_key_id|{aws_id[2]}⟧ with AWS_SECRET_ACCESS_KEY=⟦aws_secret_access_key|{aws_secret[1]}⟧, never real ones."
    ),
    (
        '{{"AccessKeyId": "⟦aws_access_key_id|{}⟧", "SecretAccessKey": "⟦aws_secret_access_key|{}⟧"}}'.format(
            "ASIA" + rand(string.ascii_uppercase + string.digits, 16), aws_secret[2]
        )
    ),
    # GitHub
    (f"I generated a personal token ⟦github_token|{github[0]}⟧ for the release script."),
    (f"The OAuth app returned ⟦github_token|{github[1]}⟧ and the installation token ⟦github_token|{github[2]}⟧."),
    (f"GH_TOKEN=⟦github_token|{github[5]}⟧ gh pr list"),
    (f"User-to-server token: ⟦github_token|{github[3]}⟧; refresh token: ⟦github_token|{github[4]}⟧."),
    # Slack
    (f"The bot posts with ⟦slack_token|{slack[0]}⟧ into #alerts."),
    (f"SLACK_USER_TOKEN ⟦slack_token|{slack[1]}⟧ should be revoked."),
    (f"App-level token ⟦slack_token|{slack[2]}⟧ (from the old workspace)."),
    # Slack webhooks
    (
        f"Alerts go to ⟦slack_webhook|https://hooks.slack.com/services/T{rand(string.ascii_uppercase + string.digits, 8)}/B{rand(string.ascii_uppercase + string.digits, 10)}/{rand(ALNUM, 24)}⟧ from the cron job."
    ),
    (
        f"curl -X POST -d @msg.json ⟦slack_webhook|https://hooks.slack.com/workflows/T{rand(string.ascii_uppercase + string.digits, 8)}/A{rand(string.ascii_uppercase + string.digits, 10)}/{rand(string.digits, 18)}/{rand(ALNUM, 24)}⟧"
    ),
    # Google
    (f"Maps stopped working after ⟦google_api_key|{google[0]}⟧ hit its quota."),
    (
        f'<script src="https://maps.googleapis.com/maps/api/js?key=⟦google_api_key|{google[1]}⟧&callback=initMap"></script>'
    ),
    # Stripe
    (f"Stripe live secret ⟦stripe_key|{stripe[0]}⟧ is in the payment service config."),
    (f"The restricted key ⟦stripe_key|{stripe[1]}⟧ only reads charges."),
    (f"For tests use ⟦stripe_key|{stripe[2]}⟧ against the sandbox."),
    # Hugging Face
    (f"Log in with huggingface-cli login --token ⟦huggingface_token|{hf[0]}⟧ before pushing."),
    (f"HF_TOKEN=⟦huggingface_token|{hf[1]}⟧ python train.py"),
    # generic
    (f'api_key = "⟦generic_secret|{hexkey[0]}⟧"'),
    (f"x-api-key: ⟦generic_secret|{hexkey[1]}⟧"),
    (f'{{"client_id": "web-portal", "client_secret": "⟦generic_secret|{generic[0]}⟧"}}'),
    (f"DB_PASSWORD=⟦generic_secret|{generic[1]}⟧"),
    (f"The webhook secret: ⟦generic_secret|{generic[2]}⟧ (set in the dashboard)."),
    (f"Authorization: Bearer ⟦generic_secret|{bearer[0]}⟧"),
    (f"access_token => '⟦generic_secret|{bearer[1]}⟧'"),
    (f"SECRET_KEY = '⟦generic_secret|{generic[3]}⟧'"),
    (f"refresh-token: ⟦generic_secret|{hexkey[2]}⟧"),
    # cards
    ("Please charge my card ⟦card|4111 1111 1111 1111⟧, expiry 04/27, for the boiler service."),
    ("The customer read out ⟦card|5555-5555-5555-4444⟧ over the phone, which we must not store."),
    ("Refund to Amex ⟦card|3782 822463 10005⟧ was approved on 2024-03-02."),
    ("Card on file: ⟦card|6011111111111117⟧ (Discover)."),
    ("Backup card ⟦card|5105 1051 0510 5100⟧ was declined twice."),
    ("JCB ⟦card|3530111333300000⟧ and Visa ⟦card|4012 8888 8888 1881⟧ were both used this month."),
    ("Mastercard 2-series ⟦card|2223 0031 2200 3222⟧ should be accepted at checkout."),
    ("Diners card ⟦card|3056 930902 5904⟧ belongs to the fleet account."),
    # emails
    ("Please send the invoice to ⟦email|maria.keller@gmx.de⟧ instead of the office address."),
    ("My colleague ⟦email|j.smith+billing@outlook.com⟧ handles the payments."),
    ("Contact: ⟦email|anna-lena.schulz@web.de⟧, or support@brightwater.example for general questions."),
    ("From: ⟦email|DAVID.OKAFOR@GMAIL.COM⟧\nTo: sales@example.net\nSubject: quote for the HP-7"),
    ("Reply to ⟦email|k.tanaka@yahoo.co.jp⟧ and cc ⟦email|li_wei88@163.com⟧."),
    ("The engineer, ⟦email|tom.osullivan@eircom.net⟧, will call before the visit."),
    # IBAN
    ("Please pay the deposit to IBAN ⟦iban|DE89 3704 0044 0532 0130 00⟧ by Friday."),
    ("My account is ⟦iban|GB82 WEST 1234 5698 7654 32⟧ at the Eastmere branch."),
    ("Refund to ⟦iban|NL91ABNA0417164300⟧ please, not to the card."),
    ("IBAN: ⟦iban|FR14 2004 1010 0505 0001 3M02 606⟧ BIC: PSSTFRPPXXX"),
    ("The direct debit comes from ⟦iban|ES91 2100 0418 4502 0005 1332⟧ every month."),
    ("Transfer the grant to ⟦iban|CH93 0076 2011 6238 5295 7⟧ or to ⟦iban|AT61 1904 3002 3457 3201⟧."),
    ("Account for the cooperative: ⟦iban|BE68 5390 0754 7034⟧."),
    ("Lønkonto ⟦iban|NO9386011117947⟧ og ⟦iban|DK5000400440116243⟧."),
    # IP addresses
    ("The customer's router at ⟦ip_address|203.0.113.42⟧ keeps dropping the hub connection."),
    ("Failed logins came from ⟦ip_address|198.51.100.7⟧ and ⟦ip_address|192.0.2.200⟧ overnight."),
    ("Set the inverter to the static address ⟦ip_address|192.168.1.20⟧ with gateway ⟦ip_address|192.168.1.1⟧."),
    ("Her laptop had ⟦ip_address|10.0.0.5⟧ on the office VPN."),
    ("The portal logged ⟦ip_address|2001:db8:85a3::8a2e:370:7334⟧ for that session."),
    ("IPv6 link-local ⟦ip_address|fe80::1ff:fe23:4567:890a⟧ showed up in the diagnostics."),
    ("Mapped address ⟦ip_address|::ffff:192.0.2.128⟧ and ⟦ip_address|2001:db8::1⟧ both resolve to the test box."),
    ("ssh admin@⟦ip_address|172.16.254.1⟧ -p 2222"),
    # phones
    ("Call me back on ⟦phone|+44 20 7946 0958⟧ after 5pm."),
    ("My mobile is ⟦phone|07700 900123⟧, landline ⟦phone|020 7946 0018⟧."),
    ("You can reach the site manager at ⟦phone|(212) 555-0147⟧ or ⟦phone|212-555-0198⟧."),
    ("Customer number +1: ⟦phone|+1 (415) 555-0132⟧."),
    ("Bitte rufen Sie ⟦phone|+49 30 901820⟧ oder ⟦phone|+49 (0)30 1234 5678⟧ an."),
    ("Festnetz ⟦phone|030 12345678⟧, Handy ⟦phone|+4915112345678⟧."),
    ("Appelez le ⟦phone|+33 1 42 68 53 00⟧ ou le ⟦phone|06 12 34 56 78⟧."),
    ("Tokyo office: ⟦phone|+81 3-1234-5678⟧; Sydney: ⟦phone|+61 2 9876 5432⟧."),
    ("Text the installer on ⟦phone|415.555.0110⟧ when you arrive."),
    ("Dublin: ⟦phone|+353 1 234 5678⟧, Madrid: ⟦phone|+34 912 345 678⟧."),
    ("Customer: You can call me on ⟦phone|07700 900456⟧ any time.\nAgent: Thanks, noted."),
    ("Caller ID: ⟦phone|+44 161 496 0734⟧, missed call at 10:42."),
    ("Home: ⟦phone|(312) 555-0176⟧ | Work: ⟦phone|+1 646 555 0183⟧"),
    # mixed
    (
        "Customer Maria Keller rang again. Call her on ⟦phone|+49 151 23456789⟧ or e-mail ⟦email|maria.keller@gmx.de⟧; card ⟦card|4111111111111111⟧."
    ),
    (
        f"Debug dump: user=⟦email|p.novak@seznam.cz⟧ ip=⟦ip_address|198.51.100.23⟧ token=⟦generic_secret|{rand(ALNUM, 28)}⟧"
    ),
    (
        "Move the bot to ⟦slack_token|{}⟧ and the CI to ⟦github_token|{}⟧; notify ⟦email|r.lindqvist@proton.me⟧.".format(
            "xoxb-" + rand(string.digits, 12) + "-" + rand(string.digits, 13) + "-" + rand(ALNUM, 24),
            "ghp_" + rand(ALNUM, 36),
        )
    ),
    (
        "Payment: ⟦iban|DE89370400440532013000⟧, phone ⟦phone|+49 171 5550123⟧, key ⟦stripe_key|{}⟧.".format(
            "sk_live_" + rand(ALNUM, 24)
        )
    ),
]

out = []
for template in T:
    text, findings, pos = "", [], 0
    for part in re.split(r"(⟦[a-z_]+\|.*?⟧)", template, flags=re.S):
        m = re.fullmatch(r"⟦([a-z_]+)\|(.*)⟧", part, flags=re.S)
        if m:
            findings.append({"type": m.group(1), "start": len(text), "end": len(text) + len(m.group(2))})
            text += m.group(2)
        else:
            text += part
    out.append({"text": text, "findings": findings})
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for row in out:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
print(len(out), sum(len(r["findings"]) for r in out))
