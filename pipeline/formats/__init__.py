"""Target formats: how an EXAMPLE frame becomes records of a provider's or trainer's file format.

Each target names its JSON Schema (in `schemas/`), its record builder and its semantic rules; the
format-check stage and `ftprep validate` use the same target, so what prepare writes is exactly what
validate accepts.
"""

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from pipeline.formats import openai_chat


@dataclass(frozen=True)
class Target:
    name: str
    schema: str  # file stem in schemas/
    description: str
    to_records: Callable[[pl.DataFrame], pl.DataFrame]  # EXAMPLE frame -> one struct column per record field
    semantic_checks: Callable[[dict], list[tuple[str, str, str]]]  # record -> [(code, path, message)]
    clean_rows: Callable[[pl.DataFrame], pl.Series]  # records -> True where certainly valid (skips jsonschema)
    min_examples: int | None = None
    max_file_bytes: int | None = None


TARGETS: dict[str, Target] = {
    "openai-chat": Target(
        name="openai-chat",
        schema="openai-chat",
        description="OpenAI supervised fine-tuning (chat messages; tools, weight, multi-turn)",
        to_records=openai_chat.to_records,
        semantic_checks=openai_chat.semantic_checks,
        clean_rows=openai_chat.clean_rows,
        min_examples=10,
        max_file_bytes=512 * 1024 * 1024,
    ),
}


def get_target(name: str) -> Target:
    try:
        return TARGETS[name]
    except KeyError:
        from pipeline.errors import ConfigError

        raise ConfigError(f"unknown target '{name}'; known targets: {', '.join(sorted(TARGETS))}") from None
