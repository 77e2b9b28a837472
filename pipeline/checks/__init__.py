"""Format checks: target formats and their rules, the pipeline's format stage, and `ftprep validate`.

targets/ renders EXAMPLE frames as each provider's or trainer's records and holds their semantic rules;
jsonschemas.py loads the JSON Schemas in `schemas/`; format.py is the pipeline's format-check stage;
validate/ checks whole dataset files line by line and across records. Every check reports a Finding
(finding.py).
"""
