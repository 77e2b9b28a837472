"""Heuristic quality rules, declared as (reason, passes-expression, detail) and applied by one function.

A rule's expression says when an example *passes*; an expression that evaluates to null fails, so a
missing prompt or answer can never slip through. The first failing rule (in declaration order) names
the reason. Adding a rule is one entry here plus one row in tests/test_quality.py.
"""

from collections.abc import Callable

import polars as pl

from pipeline.config import QualityConfig
from pipeline.records import Split, answer_text, prompt_text, reject

PROMPT = prompt_text().str.strip_chars()
ANSWER = answer_text().str.strip_chars()
SPECIAL_TOKEN = r"<\|[A-Za-z0-9_]+\|>|\[/?INST\]|<</?SYS>>"
# Well-known credential shapes; the full scanner with redaction modes belongs to the secrets work.
SECRET = (
    r"\bsk-(?:live-|test-|proj-)?[A-Za-z0-9]{20,}|\bAKIA[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{36}\b"
    r"|\bxox[baprs]-[A-Za-z0-9-]{10,}|\bAIza[0-9A-Za-z_-]{35}\b|-----BEGIN [A-Z ]*PRIVATE KEY-----"
)
# An answer that stands for one not written yet; `ftprep validate` reports the same pattern as an error.
PLACEHOLDER = r"(?i)^\s*(todo|tbd|tba|n/?a|none|null|xxx+|\.\.\.|lorem ipsum.*|\[.*\]|<.*>|answer here)\s*\.?\s*$"
EMAIL = r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"
# Role mailboxes (support@, info@) are published business contacts, not personal data.
ROLE_MAILBOX = r"^(?:support|info|privacy|sales|help|contact|no-?reply|service|billing|admin|hello|team|office|press)@"
# Secrets and personal data are searched in every turn and the system prompt, not only the last pair.
TEXT = pl.concat_str(
    pl.col("system").fill_null(""),
    pl.col("messages").list.eval(pl.element().struct.field("content")).list.join("\n").fill_null(""),
    pl.col("chosen").fill_null(""),
    pl.col("rejected").fill_null(""),
    separator="\n",
)
PERSONAL_EMAIL = (
    TEXT.str.extract_all(EMAIL).list.eval(~pl.element().str.to_lowercase().str.contains(ROLE_MAILBOX)).list.any()
)


def squashed(text: pl.Expr) -> pl.Expr:
    return text.str.to_lowercase().str.replace_all(r"\s+", " ").str.strip_chars()


Rule = tuple[str, Callable[[QualityConfig], pl.Expr], Callable[[QualityConfig], str]]

RULES: list[Rule] = [
    ("empty_prompt", lambda c: PROMPT.str.len_chars() > 0, lambda c: "the prompt is empty"),
    ("empty_answer", lambda c: ANSWER.str.len_chars() > 0, lambda c: "the answer is empty"),
    (
        "short_prompt",
        lambda c: PROMPT.str.len_chars() >= c.min_prompt_chars,
        lambda c: f"prompt shorter than quality.min_prompt_chars = {c.min_prompt_chars}",
    ),
    (
        "short_answer",
        lambda c: (ANSWER.str.len_chars() >= c.min_answer_chars) | pl.col("task").is_in(c.short_answer_tasks),
        lambda c: f"answer shorter than quality.min_answer_chars = {c.min_answer_chars}",
    ),
    (
        "long_answer",
        lambda c: ANSWER.str.len_chars() <= c.max_answer_chars,
        lambda c: f"answer longer than quality.max_answer_chars = {c.max_answer_chars}",
    ),
    (
        "special_token",
        lambda c: ~TEXT.str.contains(SPECIAL_TOKEN),
        lambda c: "contains a chat-template special token such as <|endoftext|> or [INST]",
    ),
    (
        "placeholder_answer",
        lambda c: ~ANSWER.str.contains(PLACEHOLDER),
        lambda c: "the answer is a placeholder (TODO, TBD, N/A, None, ...)",
    ),
    ("secret", lambda c: ~TEXT.str.contains(SECRET), lambda c: "contains what looks like an API key or private key"),
    (
        "personal_data",
        lambda c: ~PERSONAL_EMAIL | c.allow_emails,
        lambda c: "contains a personal e-mail address (set quality.allow_emails to keep such examples)",
    ),
    (
        "empty_rejected",
        lambda c: (pl.col("kind") != "preference") | (pl.col("rejected").str.strip_chars().str.len_chars() > 0),
        lambda c: "the rejected side of the pair is empty",
    ),
    (
        "identical_pair",
        lambda c: (pl.col("kind") != "preference") | (squashed(pl.col("chosen")) != squashed(pl.col("rejected"))),
        lambda c: "chosen and rejected are the same text",
    ),
    (
        "answer_repeats_prompt",
        lambda c: ANSWER.str.to_lowercase() != PROMPT.str.to_lowercase(),
        lambda c: "the answer only repeats the prompt",
    ),
]


def filter_quality(examples: pl.DataFrame, cfg: QualityConfig, rules: list[Rule] = RULES) -> Split:
    """Keep examples passing every rule; reject the others with the first failing rule's reason."""
    failures = [pl.when(~check(cfg).fill_null(False)).then(pl.lit(reason)) for reason, check, _ in rules]
    details = {reason: detail(cfg) for reason, _, detail in rules}
    flagged = examples.with_columns(_reason=pl.coalesce(failures) if failures else pl.lit(None, pl.String))
    bad = flagged.filter(pl.col("_reason").is_not_null())
    rejected = reject(bad, "quality", pl.col("_reason"), pl.col("_reason").replace_strict(details, default=""))
    return Split(flagged.filter(pl.col("_reason").is_null()).drop("_reason"), rejected.drop("_reason"))
