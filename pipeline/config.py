"""PrepareConfig: every tunable of a run, one section per stage, loadable from TOML.

The same model is the Prefect flow's only parameter, so the deployment form, `schemas/config.schema.json`
and the TOML file all describe one thing. `extra="forbid"` turns a typo into an error instead of a
silently ignored option.
"""

import re
import tomllib
import warnings
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline.errors import ConfigError

# Kept in step with pipeline.checks.targets.TARGETS by tests/test_config.py (a Literal makes the Prefect form a menu).
TargetName = Literal[
    "openai-chat", "openai-dpo", "trl-preference", "llama-factory-dpo", "vertex-gemini-preference", "trl-kto",
    "llama-factory-kto",
    "bedrock-claude", "vertex-gemini", "mistral", "together-conversational", "together-instruction",
    "together-preference", "trl-sft", "alpaca", "sharegpt", "llama-factory",
]  # fmt: skip


def unset_when_empty(schema: dict[str, Any]) -> None:
    """An optional field (`str | None = None`) as its plain type, with no default, in the JSON Schema.

    Pydantic writes `anyOf: [string, null]` with `default: null`; Prefect's form renders that as a str/None
    switch set to None, showing `Property is type "None"`. As a plain type the form shows a text box whose
    empty value is left out of the run's parameters, so the default (None) applies. A Prefect server still
    accepts an explicit null: before validating it adds a null branch to each optional property that has
    no default. TOML, the config's own format, has no null, so the config schema loses nothing.
    """
    for field in schema.get("properties", {}).values():
        branches = field.get("anyOf")
        if field.get("default", ...) is None and branches and len(branches) == 2 and {"type": "null"} in branches:
            del field["anyOf"], field["default"]
            field.update(next(branch for branch in branches if branch != {"type": "null"}))


class Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra=unset_when_empty)


# Files per shard by default. At 500, the fixed cost of each shard (about 70 ms, mostly polars compiling the
# shard stages' regular expressions again: its per-thread cache holds 32, the stages use well over 100) was a
# tenth of a 1M-example run's shard work; at 1,000 a shard's worker peaked at 453 MB against 431 (a 1M-corpus
# shard), and a corpus under 1,000 files is one shard, run in the flow's process, which is faster than
# starting workers for it (bench/RESULTS.md, issue 18, eighth sitting).
SHARD_SIZE = 1000


class IngestConfig(Section):
    """Which files become documents and how record-per-line files map to documents."""

    exclude: list[str] = Field(
        default=[".*", "**/.*", "**/.*/**", "ftprep.toml", "**/ftprep.toml"],
        description="Glob patterns (relative to a source folder) of files that are not inputs at all; "
        "hidden files and ftprep.toml by default. Every other file is an input and ends as a document or a reject.",
    )
    text_field: str = Field(default="text", description="JSONL key holding a document's text.")
    title_field: str = Field(default="title", description="JSONL key holding a document's title (optional).")
    max_file_mb: float = Field(default=64.0, gt=0, description="Files larger than this are rejected as too_large.")
    fallback_encoding: str | None = Field(
        default=None,
        description="Encoding for files that are not valid UTF-8 (e.g. 'cp1252'); unset: such files are rejected.",
    )
    records: Literal["auto", "documents"] = Field(
        default="auto",
        description="JSONL/JSON/CSV/Parquet rows: 'auto' imports recognised datasets (OpenAI chat, ShareGPT, Alpaca, "
        "prompt-completion) as examples and reads other rows as documents; 'documents' always reads `text_field`.",
    )
    shard_size: int = Field(
        default=SHARD_SIZE,
        ge=1,
        description="Input files per shard at most (the inputs are cut into as few shards as that allows, of even "
        "sizes). Each shard is read, sectioned, turned into examples, format-checked and "
        "quality-filtered on its own (in parallel, or on a Dask cluster) and saved under OUT/stages/, so a rerun "
        "skips the shards already done; dedup, tokens and the split then run over all shards together. The "
        "outputs do not depend on it. Preference pairs and LLM generation use one shard: their negatives and "
        "budgets span the whole input. Every shard costs about 70 ms on top of its files (polars compiles the "
        "filters' regular expressions again for each: its cache holds 32 of them), so fewer, larger shards "
        "are faster; a shard's worker holds its documents and examples.",
    )


# Kept in step with pipeline.pair_quality.RULES by tests/test_pair_quality.py.
PairRule = Literal[
    "prompt_no_subject", "markup_in_prompt", "markup_in_answer", "answer_fragment", "answer_mostly_links",
    "answer_link_skeleton", "answer_points_elsewhere", "prompt_longer_than_answer",
]  # fmt: skip


class GenerateConfig(Section):
    """Offline extractive generation of instruction-response pairs from sections."""

    extractors: list[Literal["faq", "qa", "glossary", "definition", "heading", "table", "list", "dialogue"]] = Field(
        default=["faq", "qa", "glossary", "heading", "table", "dialogue"],
        description="Extractors to run: faq (question headings or question lines with their answer), qa (Q:/A: "
        "blocks), glossary (definition lists, 'Term: definition' lines), definition ('X is a ...' sentences; off by "
        "default: one sentence seldom answers 'What is X?' as a reader means it), "
        "heading (a heading with its prose body), table (one example per entity row or career-ladder level; "
        "other tables yield nothing), list (a list under its heading; off by default: graded blind on a real "
        "handbook, a third of its examples were kept, the lists being links, checklists of other pages or one part "
        "of a broad heading), dialogue (transcripts with known speakers become multi-turn conversations).",
    )
    faq_conversations: bool = Field(
        default=False, description="Group consecutive FAQ pairs under one heading into one multi-turn conversation."
    )
    assistant_speakers: list[str] = Field(
        default=["Agent", "Assistant", "Support", "Advisor", "Engineer", "Bot"],
        description="Transcript speaker names whose turns become assistant turns.",
    )
    user_speakers: list[str] = Field(
        default=["Customer", "User", "Caller", "Client", "Visitor"],
        description="Transcript speaker names whose turns become user turns.",
    )
    system_prompt: str | None = Field(
        default=None, description="System prompt (brand voice) put first in every conversation; none if unset."
    )
    seed: int = Field(default=0, description="Seed for the choice of instruction templates.")
    min_body_chars: int = Field(
        default=80, ge=1, description="A heading's body shorter than this yields no heading example."
    )
    max_per_section: int = Field(default=40, ge=1, description="At most this many examples from one section.")
    max_per_document: int = Field(default=200, ge=1, description="At most this many examples from one document.")
    max_share_per_kind: float = Field(
        default=0.4,
        gt=0,
        le=1,
        description="At most this share of the examples generated from one document may come from one task "
        "(extractor), the earliest kept, when the document yields more than one task (a glossary or FAQ page "
        "keeps all of its entries); at least 5 of each task always pass, so small documents keep theirs.",
    )
    pair_quality: bool = Field(
        default=True,
        description="Reject generated pairs a person would not keep: a prompt that names nothing or holds Markdown, "
        "HTML or a pasted heading, an answer with raw HTML, template tags or front matter, an answer cut "
        "mid-sentence or made mostly of links, a prompt longer than its answer (pipeline/pair_quality.py). "
        "Imported datasets are never judged.",
    )
    pair_quality_skip: list[PairRule] = Field(
        default=[],
        description="Rules of the pair-quality gate to turn off for this corpus, e.g. ['markup_in_answer'] for "
        "pages that teach HTML.",
    )
    rephrase: Literal["off", "llm"] = Field(
        default="off",
        description="'llm' asks the [llm] endpoint (llm.base_url and llm.model; llm.enabled is not needed) to "
        "rewrite the template question of each single-turn extractive example as a user would ask it. The answer "
        "stays the verbatim source span; a rewrite that fails a check (not a question, subject missing, gives the "
        "answer away, markup, length) or a request that fails keeps the template question and is counted in the "
        "report under llm.rephrase_fallback. Replies are cached and count against llm.max_requests and "
        "llm.max_cost_usd. 'off': the template questions as they are.",
    )


class LLMConfig(Section):
    """Optional question-answer generation with any OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp, OpenAI).

    The same endpoint, client settings, budget and cache serve the LLM judge and question rephrasing.
    The API key is never part of the config: it is read from the environment variable named by `api_key_env`.
    """

    enabled: bool = Field(default=False, description="Generate question-answer pairs from sections with an LLM.")
    base_url: str = Field(
        default="http://127.0.0.1:8000/v1", description="Base URL of the OpenAI-compatible API (ends in /v1)."
    )
    model: str = Field(default="", description="Model name sent to the endpoint.")
    api_key_env: str = Field(
        default="FTPREP_LLM_API_KEY", description="Name of the environment variable holding the API key (may be unset)."
    )
    questions_per_section: int = Field(default=3, ge=1, le=20, description="Questions asked for each section.")
    min_section_chars: int = Field(default=200, ge=1, description="Sections shorter than this are not sent.")
    temperature: float = Field(default=0.2, ge=0, le=2, description="Sampling temperature.")
    max_tokens: int = Field(default=1024, ge=16, description="Completion token cap per request.")
    structured_output: bool = Field(
        default=True, description="Ask for JSON matching schemas/llm-qa.schema.json via response_format (json_schema)."
    )
    concurrency: int = Field(default=4, ge=1, le=64, description="Requests in flight at once.")
    max_retries: int = Field(default=4, ge=0, le=10, description="Retries on 429/5xx/timeouts and on malformed output.")
    timeout_seconds: float = Field(default=60.0, gt=0, description="Timeout of one request.")
    max_requests: int = Field(
        default=1000,
        ge=0,
        description="Cap on requests sent by each LLM stage in one run (generation; judging has its own); "
        "cache hits are free.",
    )
    max_cost_usd: float = Field(
        default=5.0,
        ge=0,
        description="Cap on estimated spend of each LLM stage in one run (generation; judging has its own); "
        "applies only when a price is set.",
    )
    price_input_per_1m_usd: float = Field(
        default=0.0, ge=0, description="Price of 1M prompt tokens, for cost estimates."
    )
    price_output_per_1m_usd: float = Field(default=0.0, ge=0, description="Price of 1M completion tokens.")
    prompt_version: str = Field(default="qa-v1", description="Part of the cache key: bump it when the prompt changes.")
    rephrase_prompt_version: str = Field(
        default="rephrase-v1",
        description="Part of the cache key of question rephrasing (generate.rephrase): bump it to ask again.",
    )
    min_support: float = Field(
        default=0.6, ge=0, le=1, description="Share of an answer's content words that must occur in its section."
    )
    cache_dir: str | None = Field(
        default=None,
        description="Content-addressed response cache; $XDG_CACHE_HOME/ftprep/llm (default "
        "~/.cache/ftprep/llm) when unset.",
    )


class JudgeConfig(Section):
    """Preference pairs judged by an LLM (the [llm] endpoint): N candidate answers, scored against principles."""

    enabled: bool = Field(default=False, description="Build preference pairs from LLM candidates and an LLM judge.")
    candidates: int = Field(default=4, ge=2, le=16, description="Candidate answers generated per prompt.")
    principles: list[str] = Field(
        default=[
            "The answer is correct according to the source passage and adds nothing it does not say.",
            "The answer responds to the question that was asked, completely.",
            "The answer is clear and concise, in a helpful and polite tone.",
        ],
        description="The judge's rubric, a constitution of principles; recorded with each pair it judges.",
    )
    min_margin: float = Field(
        default=1.0, ge=0, description="Best and worst judge scores (1-10) must differ this much."
    )
    prompt_version: str = Field(
        default="judge-v1", description="Part of the cache key: bump it when the prompts change."
    )


class PreferenceConfig(Section):
    """Preference pairs (chosen vs rejected) for DPO/ORPO/KTO: from ratings, verified negatives, or an LLM judge."""

    negatives: list[Literal["wrong_section", "other_document", "truncated"]] = Field(
        default=["wrong_section", "other_document", "truncated"],
        description="Kinds of rejected answers built from documents: the answer to the most similar question of "
        "another section (found with MinHash), an answer from another document, or the chosen answer cut before "
        "the sentence that answers the question.",
    )
    per_example: int = Field(
        default=1, ge=1, le=3, description="Pairs built per grounded example (one per negative kind)."
    )
    min_difference: float = Field(
        default=0.25,
        ge=0,
        le=1,
        description="How different a rejected answer must be from the chosen one: 1 - shared words / longer length.",
    )
    allow_easy_negatives: bool = Field(
        default=False,
        description="Keep pairs whose rejected answer is unrelated to the prompt (BM25 similarity under 0.2 of the "
        "chosen answer's): easy to tell apart, so they teach little. Off: such pairs are rejected as weak_negative.",
    )
    rated_pairs: Literal["best_worst", "all"] = Field(
        default="best_worst",
        description="From rated responses: best vs worst, or every pair whose scores differ by at least min_margin.",
    )
    min_margin: float = Field(default=1.0, ge=0, description="Smallest score difference between chosen and rejected.")
    seed: int = Field(
        default=0,
        description="Unused since negatives are ranked by similarity to the prompt (no random choice is left); "
        "kept so configs that set it still load.",
    )
    judge: JudgeConfig = Field(default_factory=JudgeConfig, description=JudgeConfig.__doc__)


# Kept in step with pipeline.sensitive.detectors.TYPES by tests/test_sensitive.py.
FindingType = Literal[
    "private_key", "url_credentials", "jwt", "anthropic_api_key", "openai_api_key", "stripe_key", "aws_access_key_id",
    "aws_secret_access_key", "github_token", "slack_token", "slack_webhook", "google_api_key", "huggingface_token",
    "generic_secret",
    "card", "email", "iban", "ip_address", "phone",
]  # fmt: skip
SensitiveMode = Literal["report", "redact", "reject"]


class SensitiveConfig(Section):
    """Secrets and personal data in examples (pipeline/sensitive/): reported, redacted or rejected by kind."""

    secrets: SensitiveMode = Field(
        default="redact",
        description="API keys and tokens, private keys, JWTs, credentials in URLs and payment card numbers: 'report' "
        "keeps the text and counts them, 'redact' replaces each value with a typed placeholder ([API_KEY], "
        "[PRIVATE_KEY], [JWT], [URL_CREDENTIALS], [CARD]) and keeps the example, 'reject' rejects the example "
        "(reason `secret`). Redact and reject both remove the values from the text, rejects.jsonl included.",
    )
    personal_data: SensitiveMode = Field(
        default="report",
        description="E-mail addresses (role mailboxes such as support@ are not personal), phone numbers, IBANs and IP "
        "addresses: 'report', 'redact' ([EMAIL], [PHONE], [IBAN], [IP_ADDRESS]) or 'reject' (reason `personal_data`).",
    )
    allow: list[FindingType] = Field(
        default=[],
        description="Finding types that are not sensitive in this corpus (e.g. ['ip_address'] for network manuals): "
        "neither counted, redacted nor rejected.",
    )


class QualityConfig(Section):
    """Heuristic rules; each failing rule rejects the example with its reason code."""

    min_prompt_chars: int = Field(default=8, ge=0, description="Prompts shorter than this are rejected.")
    min_answer_chars: int = Field(default=20, ge=0, description="Answers shorter than this are rejected.")
    max_answer_chars: int = Field(default=12_000, ge=1, description="Answers longer than this are rejected.")
    short_answer_tasks: list[str] = Field(
        default=["table_cell"],
        description="Tasks whose answers are short by nature (a table cell) and exempt from min_answer_chars.",
    )
    short_answer_questions: list[str] = Field(
        default=["faq", "qa"],
        description="Tasks whose short answer is kept when the prompt is an explicit question (ends with '?'): "
        "a document's own answer 'On your last day.' is complete.",
    )


class DedupConfig(Section):
    """Exact and MinHash near-duplicate removal."""

    exact: bool = Field(default=True, description="Remove examples whose normalised text is identical.")
    near: bool = Field(default=True, description="Remove MinHash near-duplicates (verified by exact Jaccard).")
    text: Literal["prompt", "answer", "both"] = Field(
        default="both", description="Which text is compared: the prompt, the answer, or both."
    )
    ngram: int = Field(default=5, ge=1, le=32, description="Word n-gram size of the shingles.")
    num_perm: int = Field(default=128, ge=16, le=1024, description="MinHash permutations.")
    bands: int = Field(default=16, ge=1, description="LSH bands (bands x rows must not exceed num_perm).")
    rows: int = Field(default=8, ge=1, description="Rows per LSH band.")
    threshold: float = Field(
        default=0.8, gt=0, le=1, description="Jaccard similarity at or above which two examples are duplicates."
    )
    seed: int = Field(default=1, description="MinHash seed (datasketch-compatible).")
    keep: Literal["first", "longest", "best_quality"] = Field(
        default="first",
        description="Which member of a duplicate cluster stays: the first by source path and position, the "
        "longest answer, or the highest heuristic quality score (fuller, less repetitive answers; a `quality_score` "
        "column takes precedence when a caller provides one, which no ftprep stage does).",
    )
    conflicts: Literal["report", "reject"] = Field(
        default="report",
        description="Examples with the same prompt and different answers: report them (the split keeps a group on "
        "one side when its prompts are identical after lower-casing and have five or more words), or reject all "
        "but the first of each group.",
    )

    @model_validator(mode="after")
    def _bands_fit(self) -> Self:
        if self.bands * self.rows > self.num_perm:
            raise ValueError(f"bands x rows = {self.bands * self.rows} exceeds num_perm = {self.num_perm}")
        return self


class DecontaminationConfig(Section):
    """Examples that overlap a benchmark or held-out eval set are rejected (prompts compared as dedup compares)."""

    eval_files: list[str] = Field(
        default=[],
        description="Benchmark or held-out eval sets (JSONL, JSON, CSV or text); examples sharing a 13-word "
        "passage with an item, or whose prompt nearly duplicates one, are rejected as eval_contamination.",
    )


class TokensConfig(Section):
    """Token counting with the target model's encoding."""

    encoding: str | None = Field(
        default=None,
        description="tiktoken encoding name; derived from `model` when unset (gpt-4o, gpt-4.1, o-series: o200k_base).",
    )
    max_tokens_per_example: int | None = Field(
        default=None,
        ge=1,
        description="Examples above this many tokens are rejected; the model's training limit when unset.",
    )


class SplitConfig(Section):
    """Group-aware, stratified, seeded train/validation (and optional test) split."""

    validation_ratio: float = Field(default=0.1, ge=0, lt=1, description="Share of examples that go to validation.")
    test_ratio: float = Field(
        default=0.0, ge=0, lt=1, description="Share of examples held out as a test split (test.jsonl); 0 for none."
    )
    group_by: Literal["section", "document"] = Field(
        default="section", description="Examples sharing this key always land on the same side of the split."
    )
    group_pattern: str | None = Field(
        default=None,
        description="A regular expression on the source path whose first group (or whole match) is the group key, "
        "e.g. '^([^/]+)/' keeps each top folder on one side; sources it does not match use `group_by`.",
    )
    stratify_by: Literal["task", "task_and_source", "none"] = Field(
        default="task", description="Strata whose validation share is each held to the ratio."
    )
    min_validation: int = Field(
        default=1,
        ge=0,
        description="At least this many validation examples (whole groups) when there is more than one group.",
    )
    seed: int = Field(default=0, description="Seed of the group shuffle.")

    @field_validator("group_pattern")
    @classmethod
    def _pattern_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as error:
                raise ValueError(f"not a regular expression: {error}") from None
        return value

    @model_validator(mode="after")
    def _ratios_fit(self) -> Self:
        if self.validation_ratio + self.test_ratio >= 1:
            raise ValueError("validation_ratio + test_ratio must be below 1: nothing would be left to train on")
        return self


class ExportConfig(Section):
    """What is written besides train.jsonl, validation.jsonl and rejects.jsonl."""

    hf_dataset: bool = Field(default=True, description="Write a Hugging Face dataset (parquet + card) under hf/.")


class PrepareConfig(Section):
    """A whole `ftprep prepare` run."""

    sources: list[str] = Field(default=[], description="Files or folders to ingest.")
    out: str = Field(default="runs/latest", description="Output directory of the run.")
    kind: Literal["sft", "preference"] = Field(
        default="sft",
        description="What to build: sft (instruction-response pairs) or preference (chosen/rejected pairs).",
    )
    target: TargetName = Field(default="openai-chat", description="Output record format (`ftprep targets` lists them).")
    force: bool = Field(
        default=False,
        description="Write into `out` even when it is a non-empty folder that is not an ftprep run (off: refuse).",
    )
    model: str = Field(default="gpt-4o-mini", description="Base model to fine-tune; sets the encoding and token limit.")
    ingest: IngestConfig = Field(default_factory=IngestConfig, description=IngestConfig.__doc__)
    generate: GenerateConfig = Field(default_factory=GenerateConfig, description=GenerateConfig.__doc__)
    llm: LLMConfig = Field(default_factory=LLMConfig, description=LLMConfig.__doc__)
    preference: PreferenceConfig = Field(default_factory=PreferenceConfig, description=PreferenceConfig.__doc__)
    quality: QualityConfig = Field(default_factory=QualityConfig, description=QualityConfig.__doc__)
    sensitive: SensitiveConfig = Field(default_factory=SensitiveConfig, description=SensitiveConfig.__doc__)
    dedup: DedupConfig = Field(default_factory=DedupConfig, description=DedupConfig.__doc__)
    decontamination: DecontaminationConfig = Field(
        default_factory=DecontaminationConfig, description=DecontaminationConfig.__doc__
    )
    tokens: TokensConfig = Field(default_factory=TokensConfig, description=TokensConfig.__doc__)
    split: SplitConfig = Field(default_factory=SplitConfig, description=SplitConfig.__doc__)
    export: ExportConfig = Field(default_factory=ExportConfig, description=ExportConfig.__doc__)

    @model_validator(mode="before")
    @classmethod
    def _moved_keys(cls, data: object) -> object:
        return moved_keys(data) if isinstance(data, dict) else data

    def with_overrides(self, **overrides: object) -> "PrepareConfig":
        """A validated copy with fields replaced (None values are ignored); a dict value updates a section."""
        data = self.model_dump()
        for key, value in overrides.items():
            if isinstance(value, dict):
                data[key].update({inner: item for inner, item in value.items() if item is not None})
            elif value is not None:
                data[key] = value
        return build(data, origin="command-line options")


# Keys of ftprep 0.1 that moved to a section of their own; read (with a FutureWarning) until 0.3.
MOVED = {("quality", "sensitive"): ("sensitive",), ("dedup", "eval_files"): ("decontamination", "eval_files")}


def moved_keys(data: dict) -> dict:
    """A config written for ftprep 0.1 in today's sections, with a FutureWarning naming each key to move."""
    data = {key: dict(value) if isinstance(value, dict) else value for key, value in data.items()}
    for (section, key), new in MOVED.items():
        old = data.get(section)
        if not isinstance(old, dict) or key not in old:
            continue
        value = old.pop(key)
        place = ".".join(new)
        if (new[0] in data and len(new) == 1) or (len(new) == 2 and new[1] in (data.get(new[0]) or {})):
            raise ValueError(f"both {section}.{key} (the old place) and {place} are set; keep only {place}")
        warnings.warn(f"config: {section}.{key} is now {place}; move it (the old key is read until ftprep 0.3)",
                      FutureWarning, stacklevel=2)  # fmt: skip
        if len(new) == 1:
            data[new[0]] = value
        else:
            data[new[0]] = {**(data.get(new[0]) or {}), new[1]: value}
    quality = data.get("quality")
    if isinstance(quality, dict) and "allow_emails" in quality:
        allow = quality.pop("allow_emails")
        warnings.warn(
            "config: quality.allow_emails is now 'email' in sensitive.allow; move it (read until ftprep 0.3)",
            FutureWarning,
            stacklevel=2,
        )
        if allow:
            sensitive = dict(data.get("sensitive") or {})
            sensitive["allow"] = sorted({*sensitive.get("allow", []), "email"})
            data["sensitive"] = sensitive
    return data


def build(data: dict, origin: str) -> PrepareConfig:
    try:
        return PrepareConfig.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(top level)"
        more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
        raise ConfigError(
            f"{origin}: field '{field}': {first['msg']}{more}; see schemas/config.schema.json for every option"
        ) from None


def load_config(path: str | Path) -> PrepareConfig:
    """Read a TOML config file; unknown keys and bad values are a ConfigError naming the file and field."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found; pass an existing file to --config") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read config file ({error}); check its permissions and encoding") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}; fix the syntax at that line") from None
    return build(data, origin=str(path))


def config_json_schema() -> dict:
    """The JSON Schema of PrepareConfig, as committed in schemas/config.schema.json."""
    schema = PrepareConfig.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "config.schema.json", **schema}
