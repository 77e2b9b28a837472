"""LLaMA-Factory's dataset_info.json: which files are datasets, their format and their column names.

A folder with a dataset_info.json describes its own files; each described file is imported with the
columns renamed to the canonical Alpaca or ShareGPT keys, so the importer needs no special cases.
"""

import json
from pathlib import Path

ALPACA_COLUMNS = {
    "prompt": "instruction",
    "query": "input",
    "response": "output",
    "system": "system",
    "history": "history",
}


class Mapping:
    """How to read one file described in dataset_info.json."""

    def __init__(self, entry: dict) -> None:
        self.formatting = entry.get("formatting", "alpaca")
        self.ranking = bool(entry.get("ranking", False))
        self.columns = entry.get("columns") or {}
        self.tags = entry.get("tags") or {}

    @property
    def fmt(self) -> str:
        if self.formatting == "sharegpt":
            return "sharegpt-dpo" if self.ranking else "sharegpt"
        return "alpaca-preference" if self.ranking else "alpaca"

    def apply(self, record: object) -> object:
        """The record with LLaMA-Factory's configured column and tag names replaced by the canonical ones."""
        if not isinstance(record, dict):
            return record
        if self.formatting != "sharegpt":
            renamed = {
                canonical: record.get(self.columns.get(name, canonical)) for name, canonical in ALPACA_COLUMNS.items()
            }
            if self.ranking:
                renamed |= {side: record.get(self.columns.get(side, side)) for side in ("chosen", "rejected")}
            return renamed
        turns = record.get(self.columns.get("messages", "conversations"))
        renamed = {
            "conversations": [self.canonical_turn(turn) for turn in turns] if isinstance(turns, list) else turns,
            "system": record.get(self.columns.get("system", "system")),
        }
        if self.ranking:
            renamed |= {
                side: self.canonical_turn(record.get(self.columns.get(side, side))) for side in ("chosen", "rejected")
            }
        return renamed

    def canonical_turn(self, turn: object) -> object:
        if not isinstance(turn, dict):
            return turn
        role_tag, content_tag = self.tags.get("role_tag", "from"), self.tags.get("content_tag", "value")
        roles = {
            self.tags.get("user_tag", "human"): "human",
            self.tags.get("assistant_tag", "gpt"): "gpt",
            self.tags.get("system_tag", "system"): "system",
        }
        return {"from": roles.get(turn.get(role_tag), turn.get(role_tag)), "value": turn.get(content_tag)}


def read_dataset_info(folder: Path) -> tuple[dict[str, Mapping], str | None]:
    """({file name relative to folder: Mapping}, problem); an unreadable file is reported, not fatal."""
    path = folder / "dataset_info.json"
    if not path.is_file():
        return {}, None
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return {}, f"cannot read dataset_info.json: {error}"
    if not isinstance(info, dict):
        return {}, "dataset_info.json must be an object of dataset entries"
    mappings = {
        entry["file_name"]: Mapping(entry)
        for entry in info.values()
        if isinstance(entry, dict) and isinstance(entry.get("file_name"), str)
    }
    return mappings, None
