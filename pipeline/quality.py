"""Heuristic quality rules, declared as (reason, passes-expression, detail) and applied by one function.

A rule's expression says when an example *passes*; an expression that evaluates to null fails, so a
missing prompt or answer can never slip through. The first failing rule (in declaration order) names
the reason. Adding a rule is one entry here plus one row in tests/test_quality.py. Secrets and personal
data are screened before the rules, by pipeline/sensitive/ (reasons `secret` and `personal_data`).
"""

from collections.abc import Callable

import polars as pl

from pipeline.config import QualityConfig, SensitiveConfig
from pipeline.records import Split, answer_text, concat_rejects, prompt_text, reject
from pipeline.sensitive.policy import apply_sensitive
from pipeline.spaces import one_space

PROMPT = prompt_text().str.strip_chars()
ANSWER = answer_text().str.strip_chars()
SPECIAL_TOKEN = r"<\|[A-Za-z0-9_]+\|>|\[/?INST\]|<</?SYS>>"
# An unfilled template marker: a whole answer that is a to-do word, or a slot left in the text ({{name}},
# [INSERT ...], <your ...>, lorem ipsum). Short, list, JSON or tag-wrapped answers are not markers: "N/A",
# "None", "[]", '["positive"]', "<answer>42</answer>" are what classification and extraction datasets
# train on. prepare rejects an answer with a marker; `ftprep validate` warns (it cannot know the intent).
# One pattern for polars' engine and Python's `re`: no look-around, bounded repeats.
PLACEHOLDER = (
    r"(?i)^\s*(?:todo|tbd|tba|fixme|x{3,}|placeholder|(?:your )?answer (?:goes )?here)\s*\.?\s*$"
    r"|\{\{\s*[A-Za-z_][A-Za-z0-9_.]{0,60}\s*\}\}"
    r"|\[\s*(?:insert|add|your|enter|fill in|placeholder)\b[^\]\n]{0,80}\]"
    r"|<\s*(?:insert|your)\b[^>\n]{0,80}>"
    r"|\blorem ipsum\b"
)
# Special tokens are searched in every turn and the system prompt, not only the last pair.
TEXT = pl.concat_str(
    pl.col("system").fill_null(""),
    pl.col("messages").list.eval(pl.element().struct.field("content")).list.join("\n").fill_null(""),
    pl.col("chosen").fill_null(""),
    pl.col("rejected").fill_null(""),
    separator="\n",
)


def squashed(text: pl.Expr) -> pl.Expr:
    return one_space(text.str.to_lowercase()).str.strip_chars()


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
        lambda c: (
            (ANSWER.str.len_chars() >= c.min_answer_chars)
            | pl.col("task").is_in(c.short_answer_tasks)
            | (pl.col("task").is_in(c.short_answer_questions) & PROMPT.str.ends_with("?"))
        ),
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
        lambda c: "the answer is or holds an unfilled template marker (TODO, TBD, {{name}}, [INSERT ...], lorem ipsum)",
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


def filter_quality(
    examples: pl.DataFrame, cfg: QualityConfig, sensitive: SensitiveConfig | None = None, rules: list[Rule] = RULES
) -> Split:
    """Screen secrets and personal data (pipeline/sensitive/), then keep the examples passing every rule and
    reject the others with the first failing rule's reason (rules see the redacted text)."""
    screened = apply_sensitive(examples, sensitive or SensitiveConfig())
    noted = findings_column(screened.findings)
    kept, rejected = apply_rules(with_findings(screened.kept, noted), cfg, rules)
    return Split(kept, concat_rejects([with_findings(screened.rejected, noted), rejected]))


def findings_column(findings: pl.DataFrame) -> pl.DataFrame:
    """(id, sensitive): each example's findings as "type:action:count" strings, so the report can count
    what was found and done without any value (the rows carry it to the end of the run)."""
    if findings.height == 0:
        return pl.DataFrame(schema={"id": pl.String, "sensitive": pl.List(pl.String)})
    return findings.group_by("id").agg(sensitive=pl.format("{}:{}:{}", "type", "action", "count").sort())


def with_findings(frame: pl.DataFrame, noted: pl.DataFrame) -> pl.DataFrame:
    return frame.drop("sensitive", strict=False).join(noted, on="id", how="left", maintain_order="left")


def apply_rules(examples: pl.DataFrame, cfg: QualityConfig, rules: list[Rule]) -> Split:
    failures = [pl.when(~check(cfg).fill_null(False)).then(pl.lit(reason)) for reason, check, _ in rules]
    details = {reason: detail(cfg) for reason, _, detail in rules}
    flagged = examples.with_columns(_reason=pl.coalesce(failures) if failures else pl.lit(None, pl.String))
    bad = flagged.filter(pl.col("_reason").is_not_null())
    rejected = reject(bad, pl.col("_reason"), pl.col("_reason").replace_strict(details, default=""))
    return Split(flagged.filter(pl.col("_reason").is_null()).drop("_reason"), rejected.drop("_reason"))
