"""TRL's dataset types and formats: which one a record is, and the implicit prompt of a preference pair.

Restates what TRL decides in `trl/data_utils.py` and documents in docs/source/dataset_formats.md
(https://huggingface.co/docs/trl/dataset_formats), so the three TRL targets accept exactly the types
their trainers take ("Which dataset type to use?"):

- the *type* of a record is its set of columns: `text` or `messages` (language modeling), `prompt`
  (prompt-only), `prompt` and `completion` (prompt-completion), `prompt`, `chosen` and `rejected`
  (preference), `chosen` and `rejected` (preference with an implicit prompt), `prompt`, `completion`
  and `label` (unpaired preference), `prompt`, `completions` and `labels` (stepwise supervision);
  other columns (`tools`) do not change the type;
- the *format* is conversational when those columns hold lists of `{"role": ...}` messages
  (`is_conversational`), standard when they hold strings;
- `extract_prompt` splits an implicit-prompt pair at its longest common prefix (`maybe_extract_prompt`);
  KTO and BCO then unpair a preference row into a desirable and an undesirable completion
  (`maybe_unpair_preference_dataset`), which is why trl-kto accepts preference rows as they are.

A trainer reads the format of the whole dataset from its first record (`is_conversational(dataset[0])`)
and loads the file as one table, so a file holds one form: the validator's mixed-format check compares
every record's `form_of` with the first one's.
"""

from collections.abc import Collection, Sequence
from typing import Any

from pipeline.checks.finding import Finding

LANGUAGE_MODELING = "language modeling"
PROMPT_ONLY = "prompt-only"
PROMPT_COMPLETION = "prompt-completion"
PREFERENCE = "preference"
IMPLICIT_PREFERENCE = "preference with implicit prompt"
UNPAIRED_PREFERENCE = "unpaired preference"
STEPWISE = "stepwise supervision"

# The columns of each type (dataset_formats.md, "Types"), in the order the messages name them.
TYPES: dict[frozenset[str], str] = {
    frozenset({"text"}): LANGUAGE_MODELING,
    frozenset({"messages"}): LANGUAGE_MODELING,
    frozenset({"prompt"}): PROMPT_ONLY,
    frozenset({"prompt", "completion"}): PROMPT_COMPLETION,
    frozenset({"prompt", "chosen", "rejected"}): PREFERENCE,
    frozenset({"chosen", "rejected"}): IMPLICIT_PREFERENCE,
    frozenset({"prompt", "completion", "label"}): UNPAIRED_PREFERENCE,
    frozenset({"prompt", "completions", "labels"}): STEPWISE,
}
COLUMNS = ("text", "messages", "prompt", "completion", "completions", "chosen", "rejected", "label", "labels")
# The columns data_utils.is_conversational looks at; TRL takes any one, this module the first present.
MESSAGE_COLUMNS = ("prompt", "chosen", "rejected", "completion", "messages")
COLUMNS_OF: dict[str, str] = {
    LANGUAGE_MODELING: "text, or messages",
    PROMPT_ONLY: "prompt",
    PROMPT_COMPLETION: "prompt, completion",
    PREFERENCE: "prompt, chosen, rejected",
    IMPLICIT_PREFERENCE: "chosen, rejected",
    UNPAIRED_PREFERENCE: "prompt, completion, label",
    STEPWISE: "prompt, completions, labels",
}


def columns_of(record: dict) -> list[str]:
    return [key for key in COLUMNS if key in record]


def dataset_type(record: dict) -> str | None:
    """The TRL type a record's columns make, or None when they make none."""
    return TYPES.get(frozenset(columns_of(record)))


def is_conversational(record: dict) -> bool:
    """True when the record's first message column holds `{"role": ...}` messages (data_utils.is_conversational)."""
    key = next((key for key in MESSAGE_COLUMNS if key in record), None)
    value = record.get(key) if key is not None else None
    return isinstance(value, list) and bool(value) and isinstance(value[0], dict) and "role" in value[0]


def form_of(record: object) -> str | None:
    """The record's format and type ("conversational preference"); None for a record of no TRL type."""
    kind = dataset_type(record) if isinstance(record, dict) else None
    if kind is None or not isinstance(record, dict):
        return None
    return f"{'conversational' if is_conversational(record) else 'standard'} {kind}"


def type_findings(record: dict, target: str, accepted: Collection[str]) -> list[Finding]:
    """One finding for a record whose type the target's trainers do not take; none when they take it."""
    kind = dataset_type(record)
    if kind in accepted:
        return []
    columns = set(columns_of(record))
    takes = "; ".join(f"{name} ({COLUMNS_OF[name]})" for name in accepted)
    if kind:
        found = f"a {kind} record"
    else:
        found = f"columns {', '.join(columns_of(record))} make no TRL type" if columns else "no TRL dataset column"
    near = [(keys - columns, name) for keys, name in TYPES.items() if name in accepted and keys > columns]
    if near:  # a record short of columns: say which, for the accepted type it is closest to
        missing, name = min(near, key=lambda pair: len(pair[0]))
        found += f", without the {', '.join(sorted(missing))} a {name} record needs"
    message = f"{found}; {target} takes {takes} (TRL's dataset_formats.md)"
    return [Finding(0, "semantic.wrong_type", "(record)", message)]


def extract_prompt(
    chosen: Sequence[Any], rejected: Sequence[Any]
) -> tuple[Sequence[Any], Sequence[Any], Sequence[Any]]:
    """(prompt, chosen, rejected) of an implicit-prompt pair: the longest common prefix, then each rest.

    data_utils._extract_prompt: for strings, a space just before the split stays with the answers
    (" blue." after "The sky is"), as TRL's own example shows. Unlike TRL, a pair where one side is a
    prefix of the other splits at the shorter's end, so the shorter side's rest is empty.
    """
    shorter = min(len(chosen), len(rejected))
    index = next((index for index in range(shorter) if chosen[index] != rejected[index]), shorter)
    if isinstance(chosen, str) and 0 < index < len(chosen) and chosen[index - 1] == " ":
        index -= 1
    return chosen[:index], chosen[index:], rejected[index:]
