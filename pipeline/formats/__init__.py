"""Target formats: how an EXAMPLE frame becomes records of a provider's or trainer's file format.

Each target names its JSON Schema (in `schemas/`), its record builder and its semantic rules; the
format-check stage and `ftprep validate` use the same target, so what prepare writes is exactly what
validate accepts.
"""

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from pipeline.formats import (
    alpaca,
    bedrock_claude,
    llama_factory,
    llama_factory_dpo,
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
    max_examples: int | None = None
    quick_valid: Callable[[dict], bool] | None = None  # a fast, conservative "certainly valid" for the common shape


TARGETS: dict[str, Target] = {
    "openai-chat": Target(
        name="openai-chat",
        schema="openai-chat",
        description="OpenAI supervised fine-tuning (chat messages; tools, weight, multi-turn)",
        kinds=("sft",),
        to_records=openai_chat.to_records,
        semantic_checks=openai_chat.semantic_checks,
        clean_rows=openai_chat.clean_rows,
        quick_valid=openai_chat.quick_valid,
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
    "bedrock-claude": Target(
        name="bedrock-claude",
        schema="bedrock-claude",
        description="Amazon Bedrock fine-tuning for Claude 3 Haiku (system; alternating user and assistant messages)",
        kinds=("sft",),
        to_records=bedrock_claude.to_records,
        semantic_checks=bedrock_claude.semantic_checks,
        clean_rows=bedrock_claude.clean_rows,
        min_examples=32,
        max_examples=10_000,
        max_file_bytes=10 * 10**9,  # "10 GB" training file, in decimal bytes; validation files: 1 GB
    ),
    "vertex-gemini": Target(
        name="vertex-gemini",
        schema="vertex-gemini",
        description="Vertex AI Gemini supervised tuning (systemInstruction; user and model contents of parts)",
        kinds=("sft",),
        to_records=vertex_gemini.to_records,
        semantic_checks=vertex_gemini.semantic_checks,
        clean_rows=vertex_gemini.clean_rows,
        max_file_bytes=10**9,  # "1 GB" JSONL training file, in decimal bytes
    ),
    "mistral": Target(
        name="mistral",
        schema="mistral",
        description="Mistral fine-tuning API and mistral-finetune (instruct messages; tools, weight)",
        kinds=("sft",),
        to_records=mistral.to_records,
        semantic_checks=mistral.semantic_checks,
        clean_rows=mistral.clean_rows,
        max_file_bytes=512 * 1024 * 1024,  # per training file (more files are allowed); validation data: 1 MB
    ),
    "together-conversational": Target(
        name="together-conversational",
        schema="together-conversational",
        description="Together AI conversational fine-tuning (messages; system, user, assistant; weight)",
        kinds=("sft",),
        to_records=together_conversational.to_records,
        semantic_checks=together_conversational.semantic_checks,
        clean_rows=together_conversational.clean_rows,
        min_examples=1,
        max_file_bytes=int(50.1 * 2**30),  # the SDK's MAX_FILE_SIZE_GB (GiB); the docs say 100 GB, older ones 5 GB
    ),
    "together-instruction": Target(
        name="together-instruction",
        schema="together-instruction",
        description="Together AI instruction fine-tuning (prompt, completion; single-turn text)",
        kinds=("sft",),
        to_records=together_instruction.to_records,
        semantic_checks=together_instruction.semantic_checks,
        clean_rows=together_instruction.clean_rows,
        min_examples=1,
        max_file_bytes=int(50.1 * 2**30),
    ),
    "together-preference": Target(
        name="together-preference",
        schema="together-preference",
        description="Together AI preference fine-tuning, DPO (input messages; one preferred, one non-preferred output)",
        kinds=("preference",),
        to_records=together_preference.to_records,
        semantic_checks=together_preference.semantic_checks,
        clean_rows=together_preference.clean_rows,
        min_examples=1,
        max_file_bytes=int(50.1 * 2**30),
    ),
    "trl-sft": Target(
        name="trl-sft",
        schema="trl-sft",
        description="Hugging Face TRL supervised fine-tuning, conversational (messages; SFTTrainer)",
        kinds=("sft",),
        to_records=trl_sft.to_records,
        semantic_checks=trl_sft.semantic_checks,
        clean_rows=trl_sft.clean_rows,
    ),
    "alpaca": Target(
        name="alpaca",
        schema="alpaca",
        description="Alpaca instruction records (instruction, input, output; optional system and history)",
        kinds=("sft",),
        to_records=alpaca.to_records,
        semantic_checks=alpaca.semantic_checks,
        clean_rows=alpaca.clean_rows,
    ),
    "sharegpt": Target(
        name="sharegpt",
        schema="sharegpt",
        description="ShareGPT conversations (from human, gpt, system; value)",
        kinds=("sft",),
        to_records=sharegpt.to_records,
        semantic_checks=sharegpt.semantic_checks,
        clean_rows=sharegpt.clean_rows,
    ),
    "llama-factory": Target(
        name="llama-factory",
        schema="llama-factory",
        description="LLaMA-Factory supervised fine-tuning, alpaca formatting (instruction, input, output)",
        kinds=("sft",),
        to_records=llama_factory.to_records,
        semantic_checks=llama_factory.semantic_checks,
        clean_rows=llama_factory.clean_rows,
    ),
}


def get_target(name: str) -> Target:
    try:
        return TARGETS[name]
    except KeyError:
        from pipeline.errors import ConfigError

        raise ConfigError(f"unknown target '{name}'; known targets: {', '.join(sorted(TARGETS))}") from None
