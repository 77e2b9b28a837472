"""Training cost and the epochs a provider would pick, from a dated price table kept as data.

The epoch rule is OpenAI's documented default (the cookbook's constants): aim for about 3 epochs,
at least 100 and at most 25,000 example passes, between 1 and 25 epochs. Billed tokens are each
example's tokens capped at the per-example limit, times the epochs. Prices change: the table says
when it was read, and the report prints that date next to every figure.
"""

import json
from functools import cache
from importlib import resources

import numpy as np

TARGET_EPOCHS, MIN_EXAMPLES, MAX_EXAMPLES, MIN_EPOCHS, MAX_EPOCHS = 3, 100, 25_000, 1, 25


@cache
def price_table() -> dict:
    return json.loads(resources.files("pipeline").joinpath("data", "prices.json").read_text(encoding="utf-8"))


def default_epochs(examples: int) -> int:
    if examples == 0:
        return 0
    if examples * TARGET_EPOCHS < MIN_EXAMPLES:
        return min(MAX_EPOCHS, MIN_EXAMPLES // examples)
    if examples * TARGET_EPOCHS > MAX_EXAMPLES:
        return max(MIN_EPOCHS, MAX_EXAMPLES // examples)
    return TARGET_EPOCHS


def training_price(model: str) -> float | None:
    table = price_table()
    name = model.split(":")[1] if model.startswith("ft:") else model
    name = table["aliases"].get(name, name)
    matches = [key for key in table["training_per_1m"] if name.startswith(key)]
    return table["training_per_1m"][max(matches, key=len)] if matches else None


def estimate(token_counts: "list[int] | np.ndarray", limit: int, model: str) -> dict:
    epochs = default_epochs(len(token_counts))
    billed = int(np.minimum(np.asarray(token_counts, dtype=np.int64), limit).sum())
    price = training_price(model)
    return {
        "model": model,
        "epochs": epochs,
        "billed_tokens": billed * epochs,
        "price_per_1m": price,
        "usd": None if price is None else round(billed * epochs * price / 1_000_000, 4),
        "as_of": price_table()["as_of"],
    }
