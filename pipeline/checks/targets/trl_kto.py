"""Hugging Face TRL unpaired preference records for KTO and BCO: a prompt, one completion and its label.

TRL's dataset_formats.md, "unpaired preference": conversational `{"prompt": [messages], "completion": [assistant],
"label": bool}`, what ftprep writes; the schema also accepts the standard form (prompt and completion as
strings). The guide's "Which dataset type to use?" gives KTO and BCO preference data too: the trainers
extract an implicit prompt and unpair each row into a desirable and an undesirable completion
(trl.data_utils.maybe_extract_prompt, maybe_unpair_preference_dataset), so preference rows, in any
form trl-preference takes, are checked by its rules. A record of another TRL type gets one
`semantic.wrong_type` finding; a file mixing unpaired and paired rows, one `file.mixed_format` per odd row.
"""

import polars as pl

from pipeline.checks.finding import Finding
from pipeline.checks.targets.openai_chat import WHITESPACE
from pipeline.checks.targets.trl_preference import (
    answer,
    clean_prompt,
    first_content,
    first_text,
    preference_findings,
    prompt_findings,
)
from pipeline.checks.targets.trl_types import IMPLICIT_PREFERENCE, PREFERENCE, UNPAIRED_PREFERENCE, type_findings
from pipeline.records import conversation

ACCEPTS = (UNPAIRED_PREFERENCE, PREFERENCE, IMPLICIT_PREFERENCE)


def to_records(examples: pl.DataFrame) -> pl.DataFrame:
    """The prompt (system first when set), `chosen` as the completion, and `label` (true = desirable)."""
    return examples.select(prompt=conversation(), completion=answer("chosen"), label=pl.col("label"))


def semantic_checks(record: dict) -> list[Finding]:
    """The record's TRL type, then the unpaired rules or, for a preference row, trl-preference's. Never raises."""
    if found := type_findings(record, "trl-kto", ACCEPTS):
        return found
    if "label" not in record:
        return preference_findings(record)
    prompt, completion = record.get("prompt"), record.get("completion")
    if isinstance(prompt, str):
        found = (
            [] if prompt.strip(WHITESPACE) else [Finding(0, "semantic.empty_content", "prompt", "the prompt is empty")]
        )
        path = "completion"
    else:
        found, path = prompt_findings(prompt, "prompt"), "completion[0].content"
        completion = first_content(completion)
    if isinstance(completion, str) and not completion.strip(WHITESPACE):
        found.append(Finding(0, "semantic.empty_completion", path, "the completion is empty"))
    return found


def clean_rows(records: pl.DataFrame) -> pl.Series:
    """True where a record rendered from an EXAMPLE frame certainly passes the schema and semantic checks.

    Besides the prompt rules: the completion's text is set and not blank, and the label is not null.
    """
    text = first_text(pl.col("completion")).str.strip_chars(WHITESPACE)
    checks = [*clean_prompt(pl.col("prompt")), text.str.len_chars() > 0, pl.col("label").is_not_null()]
    return records.select(pl.all_horizontal(checks).fill_null(False)).to_series()
