"""Hugging Face TRL supervised fine-tuning records (SFTTrainer): language modeling or prompt-completion.

TRL's dataset_formats.md ("Which dataset type to use?"): SFTTrainer takes language modeling (`text`, or
`messages`) and prompt-completion (`prompt` and `completion`, strings or messages) data. ftprep writes
the conversational language-modeling type, `{"messages": [...]}`; validation takes all four, plus what
the guide's "Tool Calling" and "Harmony" sections add to a conversation: a `tools` column (function
definitions, or their JSON string), assistant `tool_calls` and `tool` turns, a `developer` turn and an
assistant's `thinking`. A record of another TRL type gets one `semantic.wrong_type` finding.

TRL itself checks no order, but chat templates do (many raise unless user and assistant alternate), so
the rules are the strict ones: a system or developer turn first, then the user's, alternating (tool
turns may sit between an assistant's call and its next turn), ending with the assistant's; no empty
text. A conversation that ends with the user's turn is refused although SFTTrainer would train on it
as plain text: an SFT example that ends with a question teaches the model to ask.
"""

import json

import polars as pl

from pipeline.checks.finding import Finding
from pipeline.checks.targets.openai_chat import WHITESPACE
from pipeline.checks.targets.sft_rules import clean_conversation, conversation_findings
from pipeline.checks.targets.trl_preference import prompt_findings
from pipeline.checks.targets.trl_types import LANGUAGE_MODELING, PROMPT_COMPLETION, type_findings
from pipeline.records import conversation

ACCEPTS = (LANGUAGE_MODELING, PROMPT_COMPLETION)


def to_records(examples: pl.DataFrame) -> pl.DataFrame:
    """One `messages` column, the system prompt (when set) as the first message."""
    return examples.select(messages=conversation())


def semantic_checks(record: dict) -> list[Finding]:
    """The record's TRL type, then turn order and empty texts in whichever form it has. Never raises."""
    if found := type_findings(record, "trl-sft", ACCEPTS):
        return found
    found = tools_findings(record.get("tools"))
    if "messages" in record:
        messages = record["messages"]
        return (
            found
            + conversation_findings(as_chat(messages), "messages", text_of=spoken_text)
            + tool_turn_findings(messages, "messages")
        )
    if "text" in record:
        text = record["text"]
        empty = isinstance(text, str) and not text.strip(WHITESPACE)
        return [Finding(0, "semantic.empty_content", "text", "the text is empty")] if empty else []
    prompt, completion = record.get("prompt"), record.get("completion")
    if isinstance(prompt, str):
        return [
            Finding(0, "semantic.empty_content", key, f"the {key} is empty")
            for key, text in (("prompt", prompt), ("completion", completion))
            if isinstance(text, str) and not text.strip(WHITESPACE)
        ]
    found += prompt_findings(as_chat(prompt), "prompt", text_of=spoken_text) + tool_turn_findings(prompt, "prompt")
    for index, message in enumerate(completion if isinstance(completion, list) else []):
        text = spoken_text(message) if isinstance(message, dict) else None
        if isinstance(text, str) and not text.strip(WHITESPACE):
            found.append(
                Finding(0, "semantic.empty_content", f"completion[{index}].content", "the completion is empty")
            )
    return found


def as_chat(messages: object) -> object:
    """The messages with a Harmony `developer` turn read as the system turn it stands for (the guide:
    'similar to a system prompt'), so the order rules treat both alike."""
    if not isinstance(messages, list):
        return messages
    return [
        {**message, "role": "system"} if isinstance(message, dict) and message.get("role") == "developer" else message
        for message in messages
    ]


def calls_tools(message: dict) -> bool:
    return message.get("role") == "assistant" and bool(message.get("tool_calls"))


def spoken_text(message: dict) -> object:
    """The text a turn must not leave empty: none for an assistant turn that calls a tool instead."""
    return None if calls_tools(message) else message.get("content")


def tool_turn_findings(messages: object, path: str) -> list[Finding]:
    """A tool turn answers the assistant's `tool_calls` just before it (or follows another tool turn),
    as in the guide's tool-calling example; a tool result nobody asked for is a broken conversation."""
    if not isinstance(messages, list):
        return []
    found = []
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") != "tool":
            continue
        previous = messages[index - 1] if index else None
        if not (isinstance(previous, dict) and (previous.get("role") == "tool" or calls_tools(previous))):
            text = "a tool turn must follow the assistant turn whose tool_calls it answers"
            found.append(Finding(0, "semantic.role_order", f"{path}[{index}]", text))
    return found


def tools_findings(tools: object) -> list[Finding]:
    """`tools` as a JSON string (for `datasets` before 4.7, the guide says) must hold a list of definitions."""
    if not isinstance(tools, str):
        return []  # absent, or a list the schema checked
    try:
        parsed = json.loads(tools)
    except json.JSONDecodeError as error:
        return [Finding(0, "semantic.tools_not_json", "tools", f"not JSON: {error.msg} at column {error.colno}")]
    if not isinstance(parsed, list) or not all(isinstance(tool, dict) for tool in parsed):
        return [Finding(0, "semantic.tools_not_json", "tools", "the JSON string must hold a list of tool definitions")]
    return []


def clean_rows(records: pl.DataFrame) -> pl.Series:
    """True where a record rendered from an EXAMPLE frame certainly passes the schema and semantic checks."""
    checks = clean_conversation(pl.col("messages"))
    return records.select(pl.all_horizontal(checks).fill_null(False)).to_series()
