"""Target formats: how an EXAMPLE frame becomes records of a provider's or trainer's file format.

Each target names its JSON Schema (in `schemas/`), its record builder and its semantic rules; the
format-check stage and `ftprep validate` use the same target, so what prepare writes is exactly what
validate accepts.
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

import polars as pl

from pipeline.checks.finding import Finding
from pipeline.checks.targets import (
    alpaca,
    bedrock_claude,
    llama_factory,
    llama_factory_dpo,
    llama_factory_kto,
    mistral,
    openai_chat,
    openai_dpo,
    sharegpt,
    together_conversational,
    together_instruction,
    together_preference,
    trl_kto,
    trl_preference,
    trl_sft,
    vertex_gemini,
    vertex_preference,
)
from pipeline.checks.targets.trl_types import form_of


@dataclass(frozen=True)
class Target:
    name: str
    schema: str  # file stem in schemas/
    description: str
    kinds: tuple[str, ...]  # the EXAMPLE kinds it renders: sft, preference or kto
    to_records: Callable[[pl.DataFrame], pl.DataFrame]  # EXAMPLE frame -> one struct column per record field
    semantic_checks: Callable[[dict], list[Finding]]  # record -> its findings (line 0: the caller places them)
    clean_rows: Callable[[pl.DataFrame], pl.Series]  # records -> True where certainly valid (skips jsonschema)
    min_examples: int | None = None
    max_file_bytes: int | None = None
    max_examples: int | None = None
    quick_valid: Callable[[dict], bool] | None = None  # a fast, conservative "certainly valid" for the common shape
    # The trainer loads files with Hugging Face datasets' json builder, which reads a JSON array as well
    # as JSONL (LLaMA-Factory: data/README.md, "json, jsonl, ..."); the API providers take JSONL only.
    reads_json_array: bool = False
    # Semantic codes that warn instead of failing: rules stricter than the provider's own validator.
    warnings: frozenset[str] = frozenset()
    # The record's form, for a trainer that reads a whole file in the form of its first record (TRL);
    # None: the mixed-format check compares top-level keys with the file's usual ones.
    form_of: Callable[[dict], str | None] | None = None


def target_from(
    module: ModuleType,
    name: str,
    description: str,
    kinds: tuple[str, ...],
    schema: str | None = None,
    min_examples: int | None = None,
    max_file_bytes: int | None = None,
    max_examples: int | None = None,
    reads_json_array: bool = False,
    form_of: Callable[[dict], str | None] | None = None,
) -> Target:
    """A target whose module provides to_records, semantic_checks, clean_rows (and maybe quick_valid)."""
    return Target(
        name=name,
        schema=schema if schema is not None else name,
        description=description,
        kinds=kinds,
        to_records=module.to_records,
        semantic_checks=module.semantic_checks,
        clean_rows=module.clean_rows,
        quick_valid=getattr(module, "quick_valid", None),
        warnings=frozenset(getattr(module, "WARNINGS", ())),
        form_of=form_of,
        min_examples=min_examples,
        max_file_bytes=max_file_bytes,
        max_examples=max_examples,
        reads_json_array=reads_json_array,
    )


TARGETS: dict[str, Target] = {
    "openai-chat": target_from(
        openai_chat,
        "openai-chat",
        description="OpenAI supervised fine-tuning (chat messages; tools, weight, multi-turn)",
        kinds=("sft",),
        min_examples=10,
        max_file_bytes=512 * 1024 * 1024,
    ),
    "openai-dpo": target_from(
        openai_dpo,
        "openai-dpo",
        description="OpenAI direct preference optimization (input messages; one preferred, one non-preferred answer)",
        kinds=("preference",),
        min_examples=10,
        max_file_bytes=512 * 1024 * 1024,
    ),
    "trl-preference": target_from(
        trl_preference,
        "trl-preference",
        description="Hugging Face TRL preference, explicit or implicit prompt (DPO, ORPO, CPO, Reward trainers)",
        kinds=("preference",),
        form_of=form_of,
        reads_json_array=True,  # TRL loads files with datasets' json builder
    ),
    "llama-factory-dpo": target_from(
        llama_factory_dpo,
        "llama-factory-dpo",
        description="LLaMA-Factory ShareGPT preference (conversations ending with a human turn; chosen, rejected)",
        kinds=("preference",),
        reads_json_array=True,
    ),
    "vertex-gemini-preference": target_from(
        vertex_preference,
        "vertex-gemini-preference",
        description="Vertex AI Gemini preference tuning (contents ending with a user turn; score 1 and 0 completions)",
        kinds=("preference",),
        max_file_bytes=10**9,  # "1 GB" on the newer page (10 GB on the older one): the smaller, in decimal bytes
    ),
    "trl-kto": target_from(
        trl_kto,
        "trl-kto",
        description="Hugging Face TRL unpaired preference, or preference rows to unpair (KTO, BCO trainers)",
        kinds=("kto",),
        form_of=form_of,
        reads_json_array=True,  # TRL loads files with datasets' json builder
    ),
    "llama-factory-kto": target_from(
        llama_factory_kto,
        "llama-factory-kto",
        description="LLaMA-Factory KTO (messages ending with the judged answer; boolean label)",
        kinds=("kto",),
        reads_json_array=True,
    ),
    "bedrock-claude": target_from(
        bedrock_claude,
        "bedrock-claude",
        description="Amazon Bedrock fine-tuning for Claude 3 Haiku (system; alternating user and assistant messages)",
        kinds=("sft",),
        min_examples=32,
        max_examples=10_000,
        max_file_bytes=10 * 10**9,  # "10 GB" training file, in decimal bytes; validation files: 1 GB
    ),
    "vertex-gemini": target_from(
        vertex_gemini,
        "vertex-gemini",
        description="Vertex AI Gemini supervised tuning (systemInstruction; user and model contents of parts)",
        kinds=("sft",),
        max_file_bytes=10**9,  # "1 GB" JSONL training file, in decimal bytes
    ),
    "mistral": target_from(
        mistral,
        "mistral",
        description="Mistral fine-tuning API and mistral-finetune (instruct messages; tools, weight)",
        kinds=("sft",),
        max_file_bytes=512 * 1024 * 1024,  # per training file (more files are allowed); validation data: 1 MB
    ),
    "together-conversational": target_from(
        together_conversational,
        "together-conversational",
        description="Together AI conversational fine-tuning (messages; system, user, assistant; weight)",
        kinds=("sft",),
        min_examples=1,
        max_file_bytes=int(50.1 * 2**30),  # the SDK's MAX_FILE_SIZE_GB (GiB); the docs say 100 GB, older ones 5 GB
    ),
    "together-instruction": target_from(
        together_instruction,
        "together-instruction",
        description="Together AI instruction fine-tuning (prompt, completion; single-turn text)",
        kinds=("sft",),
        min_examples=1,
        max_file_bytes=int(50.1 * 2**30),
    ),
    "together-preference": target_from(
        together_preference,
        "together-preference",
        description="Together AI preference fine-tuning, DPO (input messages; one preferred, one non-preferred output)",
        kinds=("preference",),
        min_examples=1,
        max_file_bytes=int(50.1 * 2**30),
    ),
    "trl-sft": target_from(
        trl_sft,
        "trl-sft",
        description="Hugging Face TRL supervised fine-tuning (text, messages, prompt-completion; SFTTrainer)",
        kinds=("sft",),
        form_of=form_of,
        reads_json_array=True,  # TRL loads files with datasets' json builder
    ),
    "alpaca": target_from(
        alpaca,
        "alpaca",
        description="Alpaca instruction records (instruction, input, output; optional system and history)",
        kinds=("sft",),
        reads_json_array=True,
    ),
    "sharegpt": target_from(
        sharegpt,
        "sharegpt",
        description="ShareGPT conversations (from human, gpt, system; value)",
        kinds=("sft",),
        reads_json_array=True,
    ),
    "llama-factory": target_from(
        llama_factory,
        "llama-factory",
        description="LLaMA-Factory supervised fine-tuning, alpaca formatting (instruction, input, output)",
        kinds=("sft",),
        reads_json_array=True,
    ),
}


def get_target(name: str) -> Target:
    try:
        return TARGETS[name]
    except KeyError:
        from pipeline.errors import ConfigError

        raise ConfigError(f"unknown target '{name}'; known targets: {', '.join(sorted(TARGETS))}") from None
