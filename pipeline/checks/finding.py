"""A finding: one problem of a record or a file, as every check reports it."""

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Finding:
    line: int  # 1-based; 0 for the file as a whole, and for a record checked on its own until `placed`
    code: str  # stable: file.*, json.*, schema.*, semantic.*, tokens.*, dataset.*, response.*
    path: str  # where in the record: messages[2].content, (line) or (file)
    message: str
    file: str = ""
    unit: str = "line"  # what `line` counts: "line" of a JSONL file, or "record" (item) of a JSON array

    @property
    def place(self) -> str:
        """Where a person looks: `file:12` for a line, `file: record 12` for an item of a JSON array."""
        if self.unit == "record" and self.line:
            return f"{self.file}: record {self.line}"
        return f"{self.file}:{self.line}"


def placed(findings: list[Finding], line: int) -> list[Finding]:
    """A record's findings (from a target's semantic rules, which see one record) at its line."""
    return [replace(finding, line=line) for finding in findings]


def short(message: str, limit: int = 240) -> str:
    """A message cut to `limit` characters (jsonschema quotes whole values)."""
    return message if len(message) <= limit else message[: limit - 3] + "..."
