"""Hugging Face TRL supervised fine-tuning records (SFTTrainer): `{"messages": [system?, user, assistant, ...]}`.

TRL's dataset_formats.md: the SFT trainer takes language-modeling or prompt-completion data; ftprep writes the
conversational language-modeling type, `{"messages": [...]}`. The schema also accepts prompt-completion
records, standard (`prompt` and `completion` strings) or conversational (`prompt` messages and
`completion` assistant messages), so user files of any of these kinds validate. Roles are system, user
and assistant with string content. TRL itself checks no order, but chat templates do (many raise
unless user and assistant alternate), so the rules are the strict ones: a system turn first, then the
user's, alternating, ending with the assistant's; no empty user or assistant text.
"""

import polars as pl

from pipeline.checks.finding import Finding
from pipeline.checks.targets.openai_chat import WHITESPACE
from pipeline.checks.targets.sft_rules import clean_conversation, conversation_findings
from pipeline.checks.targets.trl_preference import prompt_findings
from pipeline.records import conversation


def to_records(examples: pl.DataFrame) -> pl.DataFrame:
    """One `messages` column, the system prompt (when set) as the first message."""
    return examples.select(messages=conversation())


def semantic_checks(record: dict) -> list[Finding]:
    """Turn order and empty texts, in whichever of the three forms the record has. Never raises."""
    if "messages" in record:
        return conversation_findings(record.get("messages"), "messages")
    prompt, completion = record.get("prompt"), record.get("completion")
    if isinstance(prompt, str):
        return [
            Finding(0, "semantic.empty_content", key, f"the {key} is empty")
            for key, text in (("prompt", prompt), ("completion", completion))
            if isinstance(text, str) and not text.strip(WHITESPACE)
        ]
    found = prompt_findings(prompt, "prompt")
    for index, message in enumerate(completion if isinstance(completion, list) else []):
        text = message.get("content") if isinstance(message, dict) else None
        if isinstance(text, str) and not text.strip(WHITESPACE):
            found.append(
                Finding(0, "semantic.empty_content", f"completion[{index}].content", "the completion is empty")
            )
    return found


def clean_rows(records: pl.DataFrame) -> pl.Series:
    """True where a record rendered from an EXAMPLE frame certainly passes the schema and semantic checks."""
    checks = clean_conversation(pl.col("messages"))
    return records.select(pl.all_horizontal(checks).fill_null(False)).to_series()
