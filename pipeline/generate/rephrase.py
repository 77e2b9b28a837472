"""Template questions of extractive examples rewritten by an LLM as a user would ask them (generate.rephrase).

Only the user turn changes: the answer stays the verbatim source span the grounding stage checked. A
rewrite is a claim too, so each one passes rule-based checks (`check_rewrite`) before it replaces the
template question; one that fails, and every request that fails (HTTP error, malformed reply, budget
reached), keeps the template question, which was fine already. Nothing is rejected here: fallbacks are
counted by reason in the LLM usage (report.json `llm.rephrase_fallback_reasons`).

Requests, retries, the reply cache and the budget are those of LLM generation (`llm_client.py`); the
budget starts from what the run already spent, so `llm.max_requests` and `llm.max_cost_usd` cap both.
"""

import logging
import re
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import polars as pl

from pipeline.config import LLMConfig
from pipeline.errors import ConfigError
from pipeline.generate.llm import content_words, load_reply, request_options, usable_key
from pipeline.generate.llm_client import Answer, Budget, ChatClient, Job, ReplyCache
from pipeline.records import MESSAGE, stable_id

log = logging.getLogger(__name__)

SCHEMA = "llm-rephrase"
TAG = "rephrased"  # generator "extractive:heading" becomes "extractive:heading+rephrased:MODEL"
SYSTEM = (
    "You rewrite questions for a dataset that teaches an assistant to answer its users.\n"
    "You get a question, the answer it has in the dataset, and where that answer comes from. "
    "Rewrite the question the way a real user would ask it: natural, specific and varied.\n"
    "- Keep what it asks: the same answer must still answer it, completely.\n"
    "- Name the subject (the product, policy, term or topic), so the question is understood on its own; "
    "never refer to 'the text', 'the section' or 'the document'.\n"
    "- Do not put the answer, or facts taken from it, into the question.\n"
    "- Write one question or request in the language of the original, as plain text: no markup, quotes or labels.\n"
    'Reply with only a JSON object: {"question": "..."}'
)
ANSWER_SHOWN = 2000  # characters of a long answer the model sees: enough to know what the question must ask

# The checks on a rewrite (check_rewrite); each failure keeps the template question, counted under its reason.
MIN_WORDS, MIN_CHARS, MAX_CHARS = 3, 10, 300
LEAK_RUN = 6  # this many consecutive words of the answer in a rewrite give the answer away
MAX_ANSWER_SHARE = 0.5  # ... as does more than this share of its content words (answers of 4+ content words)
MIN_SHARE_WORDS = 4
QUESTION_WORDS = frozenset(
    "what how when why where which who whom whose whether is are was were am do does did can could should would "
    "will shall may might must has have had".split()
)
IMPERATIVES = frozenset(
    "explain describe list give tell define summarise summarize outline show name walk provide compare state "
    "identify help share clarify detail please let".split()
)
# Words of the instruction templates (heading, glossary, list, table extractors), not of the subject.
TEMPLATE_WORDS = frozenset(
    "explain describe know overview give tell involved involve involves mean means meant define list steps step "
    "need".split()
)
MARKUP = re.compile(
    r"<\s*/?\s*[A-Za-z][^>]*>"  # an HTML or XML tag
    r"|\{\{|\}\}|\{%|%\}|\$\{|\{[A-Za-z_]\w*\}"  # template syntax: {{ }}, {% %}, ${...}, {name}
    r"|`|\*\*|__|\[[^\]]*\]\([^)]*\)"  # Markdown code, bold and links
    r"|^\s*(?:#{1,6}\s|[-*+>]\s|\d{1,3}[.)]\s)"  # a Markdown heading, list item or quote
    r"|^\s*(?:q|question|user|rewrite|rewritten(?: question)?|rephrased(?: question)?|new question)\s*:"  # a label
    r"|[\r\n]",  # more than one line
    re.I,
)
QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’", "«": "»"}
WORD = re.compile(r"\w+")


class RephraseResult(NamedTuple):
    """The examples (rephrased prompts in place, same rows and order) and what the requests cost."""

    examples: pl.DataFrame
    usage: dict


class Rewrite(NamedTuple):
    """What became of one example's question: the new text, or None and the reason (and detail) it fell back."""

    question: str | None
    reason: str | None
    detail: str


def check_endpoint(cfg: LLMConfig) -> None:
    """Rephrasing needs an endpoint; the preflight says so before any work."""
    if not cfg.model.strip():
        raise ConfigError(
            "generate.rephrase = 'llm' needs an LLM endpoint: set llm.model (and llm.base_url, default "
            f"{LLMConfig.model_fields['base_url'].default}) in [llm], or set generate.rephrase = 'off'"
        )
    if not re.match(r"https?://[^/\s]", cfg.base_url):
        raise ConfigError(
            f"field 'llm.base_url': {cfg.base_url!r} is not an http(s) URL (generate.rephrase = 'llm' sends "
            "requests there); use e.g. http://127.0.0.1:8000/v1"
        )


def candidates() -> pl.Expr:
    """Single-turn extractive examples: one user turn then one assistant turn, answered from a source span."""
    roles = pl.col("messages").list.eval(pl.element().struct.field("role")).list.join(",")
    return (
        pl.col("generator").str.starts_with("extractive:").fill_null(False)
        & (pl.col("kind") == "sft").fill_null(False)
        & (roles == "user,assistant").fill_null(False)
    )


def rephrase_prompts(
    examples: pl.DataFrame,
    sections: pl.DataFrame,
    cfg: LLMConfig,
    api_key: str | None,
    cache_dir: Path,
    spent: dict | None = None,
) -> RephraseResult:
    """Every single-turn extractive example's question, rewritten where the rewrite passes the checks.

    Requests go in (source, section, span, id) order, so which examples a budget cap cuts off does not
    depend on the frame's order or on thread timing; identical requests are sent once. `spent` is the
    run's LLM usage so far: its requests and cost count against the caps.
    """
    api_key = usable_key(api_key, cfg)
    indexed = examples.with_row_index("_row")
    chosen = indexed.filter(candidates()).sort("source", "section", "span_start", "id", nulls_last=True)
    context = sections.select("doc_id", "section", _heading="heading", _title="title").unique(
        ["doc_id", "section"], keep="first", maintain_order=True
    )
    rows = chosen.join(context, on=["doc_id", "section"], how="left", maintain_order="left").to_dicts()
    jobs = [build_job(row, cfg) for row in rows]
    unique = list({job.key: job for job in jobs}.values())
    prior = spent or {}
    budget = Budget(cfg, int(prior.get("requests", 0)), float(prior.get("cost_usd", 0.0)))
    with ChatClient(cfg, api_key, budget, ReplyCache(cache_dir)) as client:
        answers = dict(zip((job.key for job in unique), client.ask_all(unique, parse_question), strict=True))
    rewrites = [outcome(row, answers[job.key]) for row, job in zip(rows, jobs, strict=True)]
    updated = apply_rewrites(indexed, rows, rewrites, cfg.model).drop("_row")
    usage = summarise(budget, prior, list(answers.values()), rewrites)
    log.info("question rephrasing: %d rephrased, %d kept their template question; usage %s",
             usage["rephrased"], usage["rephrase_fallback"], usage)  # fmt: skip
    return RephraseResult(updated, usage)


def build_job(row: dict, cfg: LLMConfig) -> Job:
    """The request for one example, and the cache key of everything in it that can change the reply."""
    question, answer = row["messages"][0]["content"], row["messages"][1]["content"]
    shown = answer if len(answer) <= ANSWER_SHOWN else answer[:ANSWER_SHOWN] + " …"
    labels = (("Document", row.get("_title")), ("Section", row["section"]))
    context = "".join(f"{label}: {value}\n" for label, value in labels if value)
    user = f"{context}\n<question>\n{question}\n</question>\n\n<answer>\n{shown}\n</answer>"
    options = request_options(cfg, "rephrased_question", SCHEMA)
    settings = (cfg.model, cfg.temperature, cfg.max_tokens, cfg.structured_output)
    key = ReplyCache.key("rephrase", cfg.rephrase_prompt_version, *settings, SYSTEM, user)
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]
    return Job(key, messages, options)


def parse_question(text: str) -> str:
    """The question in a reply, tolerating code fences and prose around the JSON; MalformedReply otherwise."""
    return load_reply(text, "question", SCHEMA)["question"]


def outcome(row: dict, answer: Answer) -> Rewrite:
    """The rewrite of one example's question, or why its template question stays."""
    if answer.reason:
        if answer.reason in ("llm_malformed", "llm_request_failed"):
            log.warning("rephrasing %s > %s: %s: %s", row["source"], row["section"], answer.reason, answer.detail)
        return Rewrite(None, answer.reason, answer.detail)
    question, reply = row["messages"][0]["content"], row["messages"][1]["content"]
    rewrite = unquoted(answer.value)
    failed = check_rewrite(rewrite, question, reply, row.get("_heading") or "", row.get("_title") or "")
    if failed:
        log.debug("rephrasing %s > %s: kept %r: %s: %s", row["source"], row["section"], question, *failed)
        return Rewrite(None, *failed)
    return Rewrite(rewrite, None, "")


def unquoted(text: str) -> str:
    """A reply's question without surrounding whitespace or one pair of quotes around all of it."""
    text = text.strip()
    if len(text) > 2 and QUOTES.get(text[0]) == text[-1]:
        text = text[1:-1].strip()
    return text


def check_rewrite(rewrite: str, question: str, answer: str, heading: str, title: str) -> tuple[str, str] | None:
    """Why a rewrite cannot replace the template question, as (reason, detail); None when it can.

    In order: no markup (`markup`), a sensible length (`too_short`, `too_long`), one question or request
    (`not_a_question`), a change at all (`unchanged`), the subject named (`no_subject`), and the answer
    not given away (`contains_answer`). Module constants hold the numbers; README and the CHANGELOG say why.
    """
    found = MARKUP.search(rewrite)
    if found:
        return "markup", f"markup or template syntax {found.group(0).strip() or 'line break'!r}"
    words = WORD.findall(rewrite)
    if len(words) < MIN_WORDS or len(rewrite) < MIN_CHARS:
        return "too_short", f"{len(words)} words, {len(rewrite)} characters (at least {MIN_WORDS} and {MIN_CHARS})"
    if len(rewrite) > MAX_CHARS:
        return "too_long", f"{len(rewrite)} characters > {MAX_CHARS}"
    if not is_question(rewrite):
        return "not_a_question", "one question ending in '?' or one request starting with a question or imperative word"
    if squashed(rewrite) == squashed(question):
        return "unchanged", "the rewrite is the template question"
    subject = stems(content_words(question)) - TEMPLATE_WORDS | stems(content_words(heading))
    if subject and not stems(content_words(rewrite)) & subject:
        return "no_subject", f"shares no content word with the question or the heading ({', '.join(sorted(subject))})"
    leaked = leaked_run(rewrite, question, answer)
    if leaked:
        return "contains_answer", f"repeats the answer's words {leaked!r}"
    share = leaked_share(rewrite, question, answer, f"{heading} {title}")
    if share > MAX_ANSWER_SHARE:
        return "contains_answer", f"{share:.0%} of the answer's content words > {MAX_ANSWER_SHARE:.0%}"
    return None


def is_question(text: str) -> bool:
    """One question ('?' at the end, and only there) or one request (an imperative or question word first)."""
    marks = text.count("?") + text.count("？")
    if marks > 1 or (marks == 1 and not text.rstrip().endswith(("?", "？"))):
        return False
    first = WORD.findall(text.lower())[:1]
    return marks == 1 or bool(first and first[0] in QUESTION_WORDS | IMPERATIVES)


def squashed(text: str) -> str:
    return " ".join(WORD.findall(text.lower()))


def stems(words: set[str]) -> set[str]:
    """Words with a plural -s folded ('stipends' ~ 'stipend'), so the same subject in the plural still counts."""
    return {word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word for word in words}


def runs(words: list[str], size: int) -> set[tuple[str, ...]]:
    return {tuple(words[index : index + size]) for index in range(len(words) - size + 1)}


def leaked_run(rewrite: str, question: str, answer: str) -> str | None:
    """LEAK_RUN consecutive words of the answer (all of a shorter answer with a content word or number) that the
    rewrite has and the template question had not."""
    said = WORD.findall(answer.lower())
    size = min(LEAK_RUN, len(said))
    if not size or (size < LEAK_RUN and not (content_words(answer) or any(ch.isdigit() for ch in answer))):
        return None
    new = runs(said, size) & runs(WORD.findall(rewrite.lower()), size)
    new -= runs(WORD.findall(question.lower()), size)
    return " ".join(min(new)) if new else None


def leaked_share(rewrite: str, question: str, answer: str, context: str) -> float:
    """Share of the answer's content words the rewrite adds (not in the template question, heading or title);
    0 for answers of fewer than MIN_SHARE_WORDS content words, which `leaked_run` covers."""
    said = stems(content_words(answer))
    if len(said) < MIN_SHARE_WORDS:
        return 0.0
    known = stems(content_words(question)) | stems(content_words(context))
    return len((said & stems(content_words(rewrite))) - known) / len(said)


def apply_rewrites(indexed: pl.DataFrame, rows: list[dict], rewrites: list[Rewrite], model: str) -> pl.DataFrame:
    """The examples with each accepted rewrite as their user turn; the assistant turn is the same object."""
    changed = []
    for row, rewrite in zip(rows, rewrites, strict=True):
        if rewrite.question is None:
            continue
        messages = [{"role": "user", "content": rewrite.question}, row["messages"][1]]
        changed.append(
            {
                "_row": row["_row"],
                "_id": stable_id(TAG, row["id"], messages),  # the content changed: so does its id
                "_messages": messages,
                "_generator": f"{row['generator']}+{TAG}:{model}",
            }
        )
    schema = {"_row": pl.UInt32(), "_id": pl.String(), "_messages": pl.List(MESSAGE), "_generator": pl.String()}
    updates = pl.DataFrame(changed, schema=schema)
    joined = indexed.join(updates, on="_row", how="left", maintain_order="left")
    return joined.with_columns(
        id=pl.coalesce("_id", "id"),
        messages=pl.when(pl.col("_messages").is_not_null()).then("_messages").otherwise("messages"),
        generator=pl.coalesce("_generator", "generator"),
    ).drop(updates.columns[1:])


def summarise(budget: Budget, prior: dict, answers: list[Answer], rewrites: list[Rewrite]) -> dict:
    """LLM usage in generate_with_llm's keys (requests sent by this stage only), plus what became of the prompts."""
    if budget.exhausted:
        log.warning("LLM budget reached (llm.max_requests or llm.max_cost_usd) while rephrasing questions")
    reasons = Counter(rewrite.reason for rewrite in rewrites if rewrite.reason)
    return {
        "requests": budget.requests - int(prior.get("requests", 0)),
        "cache_hits": sum(answer.cached for answer in answers),
        "prompt_tokens": budget.prompt_tokens,
        "completion_tokens": budget.completion_tokens,
        "cost_usd": round(budget.cost_usd - float(prior.get("cost_usd", 0.0)), 6),
        "failed_sections": 0,
        "budget_exhausted": budget.exhausted,
        "rephrased": sum(rewrite.question is not None for rewrite in rewrites),
        "rephrase_fallback": sum(reasons.values()),
        "rephrase_fallback_reasons": dict(sorted(reasons.items())),
    }
