"""Secrets and personal data in examples: detectors, their validators, and what the run does about findings.

detectors.py holds each detector's candidate pattern, kind and placeholder; validators.py the Python
checks (Luhn, mod-97, a JWT header that decodes, a phone number's context) that turn a candidate into
findings; policy.py scans frames with them and reports, redacts or rejects by kind.
"""
