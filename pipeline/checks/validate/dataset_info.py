"""A LLaMA-Factory `dataset_info.json` entry: which target it is, and its columns and tags renamed to the target's.

LLaMA-Factory reads a dataset through its entry (src/llamafactory/data/parser.py, `DatasetAttr.join`):
`formatting` (alpaca or sharegpt), `ranking`, `columns` and, for sharegpt, `tags`. An entry with a
`columns` object takes only the columns it names (every other one is None, so the file's other columns
are ignored); without one, alpaca reads instruction/input/output and sharegpt reads conversations. The same
holds for `tags` against the defaults from/value/human/gpt/observation/function_call/system. So a record
is checked by renaming what the entry maps to the target's own names; a column or role value the entry
does not map keeps a name that says so, and the target's schema reports it.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InputError

# canonical column of each target -> LLaMA-Factory's `columns` key for it
ALPACA_COLUMNS = {
    "instruction": "prompt",
    "input": "query",
    "output": "response",
    "history": "history",
    "system": "system",
}
SHAREGPT_COLUMNS = {"conversations": "messages", "system": "system", "tools": "tools"}
COLUMNS = {
    "llama-factory": ALPACA_COLUMNS,
    "sharegpt": SHAREGPT_COLUMNS,
    "llama-factory-dpo": {**SHAREGPT_COLUMNS, "chosen": "chosen", "rejected": "rejected"},
    "llama-factory-kto": {"messages": "messages", "system": "system", "tools": "tools", "label": "kto_tag"},
}
# LLaMA-Factory's defaults when the entry has no `columns` (alpaca) or no `tags` (sharegpt): DatasetAttr's fields
DEFAULT_COLUMNS = {"alpaca": {"prompt": "instruction", "query": "input", "response": "output"}}
DEFAULT_COLUMNS["sharegpt"] = {"messages": "conversations"}
DEFAULT_TAGS = {
    "role_tag": "from",
    "content_tag": "value",
    "user_tag": "human",
    "assistant_tag": "gpt",
    "observation_tag": "observation",
    "function_tag": "function_call",
    "system_tag": "system",
}
KTO_TAGS = {
    **DEFAULT_TAGS,
    "role_tag": "role",
    "content_tag": "content",
    "user_tag": "user",
    "assistant_tag": "assistant",
}
TURN_COLUMNS = ("conversations", "messages", "chosen", "rejected")


@dataclass(frozen=True)
class DatasetMapping:
    name: str
    target: str
    columns: dict[str, str]  # the file's column -> the target's
    role_key: tuple[str, str]  # (the file's key, the target's)
    content_key: tuple[str, str]
    roles: dict[str, str]  # the file's role value -> the target's

    def to_canonical(self, record: object) -> object:
        """The record under the target's names; an unmapped column or role value gets a name that says so."""
        if not isinstance(record, dict):
            return record
        renamed = {}
        for key, value in record.items():
            column = self.columns.get(key, f"{key} (not mapped in dataset_info.json)")
            renamed[column] = self.turns(value) if column in TURN_COLUMNS else value
        return renamed

    def turns(self, value: object) -> object:
        if isinstance(value, list):
            return [self.turn(turn) for turn in value]
        return self.turn(value)

    def turn(self, turn: object) -> object:
        if not isinstance(turn, dict) or self.role_key[0] == "":
            return turn
        keys = {self.role_key[0]: self.role_key[1], self.content_key[0]: self.content_key[1]}
        renamed = {keys.get(key, f"{key} (not a tag in dataset_info.json)"): value for key, value in turn.items()}
        role = renamed.get(self.role_key[1])
        if isinstance(role, str):
            renamed[self.role_key[1]] = self.roles.get(role, f"{role} (not a tag in dataset_info.json)")
        return renamed

    def user_path(self, path: str) -> str:
        """A finding's path in the file's own names (`conversations[2].from` -> `messages[2].role`)."""
        back = {target: own for own, target in self.columns.items()}
        back.update({self.role_key[1]: self.role_key[0], self.content_key[1]: self.content_key[0]})
        return re.sub(r"[A-Za-z_]\w*", lambda word: back.get(word.group(0), word.group(0)), path)


def read_mapping(path: Path, name: str) -> DatasetMapping:
    """The entry `name` of the dataset_info.json at `path`; InputError when it cannot be read or has no target."""
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: cannot read the dataset_info.json ({error})") from None
    entry = info.get(name) if isinstance(info, dict) else None
    if not isinstance(entry, dict):
        raise InputError(
            f"{path}: no dataset '{name}'; it names {', '.join(sorted(info)) if isinstance(info, dict) else 'none'}"
        )
    formatting = entry.get("formatting", "alpaca")
    columns, tags = entry.get("columns"), entry.get("tags")
    if formatting not in DEFAULT_COLUMNS or not isinstance(columns or {}, dict) or not isinstance(tags or {}, dict):
        raise InputError(
            f"{path}: dataset '{name}': formatting {formatting!r} is not alpaca or sharegpt, "
            "or columns/tags is not an object"
        )
    target = entry_target(formatting, bool(entry.get("ranking")), columns or {})
    if target is None:
        kind = "preference (ranking)" if entry.get("ranking") else "KTO (kto_tag)"
        raise InputError(f"{path}: dataset '{name}': alpaca-formatted {kind} data has no ftprep target yet")
    own = columns if columns is not None else DEFAULT_COLUMNS[formatting]  # LLaMA-Factory key -> file column
    renamed = {own[key]: column for column, key in COLUMNS[target].items() if isinstance(own.get(key), str)}
    if formatting == "alpaca":
        return DatasetMapping(name, target, renamed, ("", ""), ("", ""), {})
    defaults = KTO_TAGS if target == "llama-factory-kto" else DEFAULT_TAGS
    given = tags if tags is not None else DEFAULT_TAGS
    roles = {
        given[tag]: canonical
        for tag, canonical in defaults.items()
        if tag.endswith("_tag") and tag not in ("role_tag", "content_tag") and isinstance(given.get(tag), str)
    }
    return DatasetMapping(
        name,
        target,
        renamed,
        (str(given.get("role_tag")), defaults["role_tag"]),
        (str(given.get("content_tag")), defaults["content_tag"]),
        roles,
    )


def entry_target(formatting: str, ranking: bool, columns: dict) -> str | None:
    """LLaMA-Factory's converter for the entry (data/converter.py): a kto_tag column makes it KTO, ranking DPO."""
    if formatting == "alpaca":
        return None if ranking or columns.get("kto_tag") else "llama-factory"
    if columns.get("kto_tag"):
        return "llama-factory-kto"
    return "llama-factory-dpo" if ranking else "sharegpt"
