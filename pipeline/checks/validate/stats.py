"""The dataset statistics of OpenAI's data-preparation notebook, from the hashed rows of keys.py.

OpenAI cookbook "Data preparation and analysis for chat model fine-tuning"
(openai/openai-cookbook examples/Chat_finetuning_data_prep.ipynb) reports, besides its format errors
(here `errors_by_code`): examples missing a system message, examples missing a user message, the
distributions of messages, total tokens and assistant tokens per example, the examples over the token
limit (truncated from the end), and the epochs and billed tokens of a default job (costs.py). Its
"p5/p95" are really `np.quantile(..., 0.1/0.9)`; here every percentile is named for what it is.
"""

import numpy as np
import polars as pl


def distribution(values: "list[int] | np.ndarray") -> dict:
    """min, p10, p50, mean, p90, p95, max (nearest rank); zeros for no values."""
    ordered = np.sort(np.asarray(values, dtype=np.int64))
    if len(ordered) == 0:
        return {"min": 0, "p10": 0, "p50": 0, "mean": 0.0, "p90": 0, "p95": 0, "max": 0}
    pick = lambda q: int(ordered[min(len(ordered) - 1, int(q * len(ordered)))])  # noqa: E731
    return {
        "min": int(ordered[0]),
        "p10": pick(0.1),
        "p50": pick(0.5),
        "mean": round(float(ordered.mean()), 1),
        "p90": pick(0.9),
        "p95": pick(0.95),
        "max": int(ordered[-1]),
    }


def token_summary(counts: "list[int] | np.ndarray") -> dict:
    """Tokens per record: the total and the distribution."""
    return {"total": int(np.asarray(counts, dtype=np.int64).sum()), **distribution(counts)}


def example_stats(rows: pl.DataFrame) -> dict:
    """Records with a conversation, those missing a system or user message, messages per record."""
    talks = rows.filter(pl.col("messages").is_not_null())
    return {
        "records": talks.height,
        "missing_system": talks.filter(pl.col("system").is_null()).height,  # absent or empty
        "missing_user": talks.filter(~pl.col("has_user")).height,
        "messages": distribution(talks["messages"].to_numpy()),
    }


def token_stats(rows: pl.DataFrame, encoding: str, limit: int, estimated: bool) -> dict:
    """Tokens and assistant tokens per record, records over the limit, and the tool definitions' share."""
    counted = rows.filter(pl.col("tokens").is_not_null())
    counts = counted["tokens"].to_numpy()
    tools = counted.filter(pl.col("tool_tokens") > 0)["tool_tokens"]
    return {
        **token_summary(counts),
        "records": len(counts),
        "encoding": encoding,
        "limit": limit,
        "estimate": estimated or tools.len() > 0,
        "over_limit": int((counts > limit).sum()),
        "assistant": distribution(counted["answer_tokens"].drop_nulls().to_numpy()),
        "tool_definitions": {"records": tools.len(), "tokens": int(tools.sum() or 0)},
    }
