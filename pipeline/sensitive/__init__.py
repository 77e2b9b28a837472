"""Secrets and personal data in examples: detectors, their validators, and what the run does about findings.

detectors.py holds each detector's candidate pattern, kind and placeholder; validators.py the Python
checks (Luhn, mod-97, a JWT header that decodes, a phone number's context) that turn a candidate into
findings, with mailboxes.py (whose e-mail addresses are a person's) and keyword_secrets.py (an unlabelled
value after a secret word); policy.py scans frames with them and reports, redacts or rejects by kind.
"""
