import hashlib
import os

import polars as pl
import pytest

from pipeline.config import TokensConfig
from pipeline.errors import EncodingUnavailable
from pipeline.records import EXAMPLE
from pipeline.tokens import BPE_FILES, chat_tokens, count_tokens, default_cache_dir, load_encoding, resolve

# The OpenAI cookbook's example conversation ("How to count tokens with tiktoken"); the API reported
# 129 prompt tokens for gpt-3.5/gpt-4 (cl100k_base) and 124 for gpt-4o/gpt-4o-mini (o200k_base).
COOKBOOK = [
    {
        "role": "system",
        "content": "You are a helpful, pattern-following assistant that translates corporate jargon into plain English.",
    },
    {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
    {"role": "system", "name": "example_assistant", "content": "Things working well together will increase revenue."},
    {
        "role": "system",
        "name": "example_user",
        "content": "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
    },
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Let's talk later when we're less busy about how to do better.",
    },
    {
        "role": "user",
        "content": "This late pivot means we don't have time to boil the ocean for the client deliverable.",
    },
]


@pytest.mark.parametrize(("encoding", "expected"), [("cl100k_base", 129), ("o200k_base", 124)])
def test_cookbook_conversation_matches_api_counts(encoding, expected):
    assert chat_tokens(COOKBOOK, load_encoding(encoding)) == expected


@pytest.mark.parametrize("encoding", sorted(BPE_FILES))
def test_bpe_files_are_tiktokens_own(encoding):
    file_name, sha256 = BPE_FILES[encoding]
    load_encoding(encoding)
    assert hashlib.sha256((default_cache_dir() / file_name).read_bytes()).hexdigest() == sha256
    assert os.environ.get("TIKTOKEN_CACHE_DIR") in (None, os.environ.get("TIKTOKEN_CACHE_DIR"))


def test_known_token_ids():
    assert load_encoding("cl100k_base").encode("hello world") == [15339, 1917]
    assert load_encoding("o200k_base").n_vocab == 200019


@pytest.mark.parametrize(
    ("model", "encoding", "limit"),
    [
        ("gpt-4o-mini", "o200k_base", 65_536),
        ("gpt-4o-2024-08-06", "o200k_base", 65_536),
        ("gpt-4.1-nano-2025-04-14", "o200k_base", 32_768),
        ("ft:gpt-4.1-mini-2025-04-14:org::abc", "o200k_base", 65_536),  # tiktoken itself says cl100k_base here
        ("o4-mini-2025-04-16", "o200k_base", 65_536),
        ("gpt-3.5-turbo-0125", "cl100k_base", 16_385),
    ],
)
def test_model_resolution(model, encoding, limit):
    assert resolve(model, TokensConfig()) == (encoding, limit)


def test_unknown_model_needs_an_explicit_encoding():
    with pytest.raises(EncodingUnavailable, match=r"set tokens\.encoding"):
        resolve("llama-3-8b", TokensConfig())
    assert resolve("llama-3-8b", TokensConfig(encoding="cl100k_base", max_tokens_per_example=8192)) == (
        "cl100k_base",
        8192,
    )


def test_unavailable_encoding_names_the_fix():
    with pytest.raises(EncodingUnavailable, match="ships cl100k_base and o200k_base"):
        load_encoding("p50k_base")


def frame(system: str | None = None, answer: str = "Seven years on the compressor.") -> pl.DataFrame:
    messages = [{"role": "user", "content": "How long is the warranty?"}, {"role": "assistant", "content": answer}]
    return pl.DataFrame([{"id": "a", "kind": "sft", "system": system, "messages": messages}], schema=EXAMPLE)


@pytest.mark.parametrize("system", [None, "Be brief."])
def test_stage_counts_like_the_cookbook(system):
    kept, _ = count_tokens(frame(system), TokensConfig(), "gpt-4o-mini")
    row = kept.row(0, named=True)
    messages = ([{"role": "system", "content": system}] if system else []) + row["messages"]
    encoding = load_encoding("o200k_base")
    assert row["n_tokens"] == chat_tokens(messages, encoding)
    assert row["n_completion_tokens"] == len(encoding.encode("Seven years on the compressor."))
    assert row["n_prompt_tokens"] == row["n_tokens"] - row["n_completion_tokens"]


def test_special_token_text_is_counted_not_raised():
    kept, _ = count_tokens(frame(answer="text with <|endoftext|> inside"), TokensConfig(), "gpt-4o-mini")
    assert kept["n_completion_tokens"][0] > 5


def test_over_limit_is_rejected():
    kept, rejected = count_tokens(frame(answer="word " * 100), TokensConfig(max_tokens_per_example=50), "gpt-4o-mini")
    assert kept.height == 0
    assert (
        rejected["reject_reason"][0] == "too_many_tokens"
        and "> 50 (gpt-4o-mini, o200k_base)" in rejected["reject_detail"][0]
    )


def test_completion_counts_of_every_row_shape_equal_tiktokens():
    """The chat rows' completions come from their counted final turns, the pairs' from their sides: each equals
    tiktoken on the answer records.answer_text names (and the totals the cookbook's sum)."""
    encoding = load_encoding("o200k_base")
    ask = {"role": "user", "content": "How long is the warranty on the HP-7?"}
    rows = [
        {"id": "chat", "kind": "sft", "messages": [ask, {"role": "assistant", "content": "Seven  years.\n\n- a  b"}]},
        {"id": "system", "kind": "sft", "system": "Be brief.", "messages": [ask, {"role": "assistant", "content": "Ten."}]},
        {"id": "asks-last", "kind": "sft", "messages": [{"role": "assistant", "content": "Hello there."}, ask]},
        {"id": "pair", "kind": "preference", "messages": [ask], "chosen": "Seven years, parts and labour.",
         "rejected": "It depends."},
        {"id": "kto", "kind": "kto", "messages": [ask], "chosen": "Seven years.", "label": True},
    ]  # fmt: skip
    kept, _ = count_tokens(pl.DataFrame(rows, schema=EXAMPLE), TokensConfig(), "gpt-4o-mini")
    tokens = {row["id"]: row for row in kept.iter_rows(named=True)}
    completions = {
        "chat": "Seven  years.\n\n- a  b",
        "system": "Ten.",
        "asks-last": "",
        "pair": "Seven years, parts and labour.",
        "kto": "Seven years.",
    }
    for row_id, answer in completions.items():
        assert tokens[row_id]["n_completion_tokens"] == len(encoding.encode_ordinary(answer)), row_id
    assert tokens["system"]["n_tokens"] == chat_tokens(
        [{"role": "system", "content": "Be brief."}, *tokens["system"]["messages"]], encoding
    )
    longer_side = len(encoding.encode_ordinary("Seven years, parts and labour.")) + 3 + 1  # a message, its role
    assert tokens["pair"]["n_tokens"] == chat_tokens([ask], encoding) + longer_side
