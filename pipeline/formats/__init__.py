"""Target formats: how an EXAMPLE frame becomes records of a provider's or trainer's file format.

Each target names its JSON Schema (in `schemas/`), its record builder and its semantic rules; the
format-check stage and `ftprep validate` use the same target, so what prepare writes is exactly what
validate accepts.
"""

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from pipeline.formats import llama_factory_dpo, openai_chat, openai_dpo, trl_kto, trl_preference, vertex_preference


@dataclass(frozen=True)
class Target:
    name: str
    schema: str  # file stem in schemas/
    description: str
    kinds: tuple[str, ...]  # the EXAMPLE kinds it renders: sft, preference or kto
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
        kinds=("sft",),
        to_records=openai_chat.to_records,
        semantic_checks=openai_chat.semantic_checks,
        clean_rows=openai_chat.clean_rows,
        min_examples=10,
        max_file_bytes=512 * 1024 * 1024,
    ),
    "openai-dpo": Target(
        name="openai-dpo",
        schema="openai-dpo",
        description="OpenAI direct preference optimization (input messages; one preferred, one non-preferred answer)",
        kinds=("preference",),
        to_records=openai_dpo.to_records,
        semantic_checks=openai_dpo.semantic_checks,
        clean_rows=openai_dpo.clean_rows,
        min_examples=10,
        max_file_bytes=512 * 1024 * 1024,
    ),
    "trl-preference": Target(
        name="trl-preference",
        schema="trl-preference",
        description="Hugging Face TRL preference with explicit prompt, conversational (DPO, ORPO, CPO trainers)",
        kinds=("preference",),
        to_records=trl_preference.to_records,
        semantic_checks=trl_preference.semantic_checks,
        clean_rows=trl_preference.clean_rows,
    ),
    "llama-factory-dpo": Target(
        name="llama-factory-dpo",
        schema="llama-factory-dpo",
        description="LLaMA-Factory ShareGPT preference (conversations ending with a human turn; chosen, rejected)",
        kinds=("preference",),
        to_records=llama_factory_dpo.to_records,
        semantic_checks=llama_factory_dpo.semantic_checks,
        clean_rows=llama_factory_dpo.clean_rows,
    ),
    "vertex-gemini-preference": Target(
        name="vertex-gemini-preference",
        schema="vertex-gemini-preference",
        description="Vertex AI Gemini preference tuning (contents ending with a user turn; score 1 and 0 completions)",
        kinds=("preference",),
        to_records=vertex_preference.to_records,
        semantic_checks=vertex_preference.semantic_checks,
        clean_rows=vertex_preference.clean_rows,
        max_file_bytes=10**9,  # "1 GB" on the newer page (10 GB on the older one): the smaller, in decimal bytes
    ),
    "trl-kto": Target(
        name="trl-kto",
        schema="trl-kto",
        description="Hugging Face TRL unpaired preference, conversational (prompt, completion, label; KTO, BCO)",
        kinds=("kto",),
        to_records=trl_kto.to_records,
        semantic_checks=trl_kto.semantic_checks,
        clean_rows=trl_kto.clean_rows,
    ),
}


def get_target(name: str) -> Target:
    try:
        return TARGETS[name]
    except KeyError:
        from pipeline.errors import ConfigError

        raise ConfigError(f"unknown target '{name}'; known targets: {', '.join(sorted(TARGETS))}") from None
