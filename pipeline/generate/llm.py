"""Question-answer pairs from sections with any OpenAI-compatible LLM, each checked against its section.

An LLM's output is a claim, not a record: every reply is parsed leniently (code fences, prose around the
object), validated against `schemas/llm-qa.schema.json`, and every answer must be lexically supported by
its section before it becomes an example. Whatever fails becomes a REJECTED row with a reason code, so
every section sent (or not sent) is accounted for and every example keeps its doc_id, source and section.
HTTP, retries, the reply cache and the budget live in `llm_client.py`.
"""

import json
import logging
import re
from pathlib import Path
from typing import Any, NamedTuple

import polars as pl

from pipeline.checks.jsonschemas import json_path, load_schema, validator
from pipeline.config import LLMConfig
from pipeline.errors import ConfigError
from pipeline.generate.llm_client import Answer, Budget, ChatClient, Job, MalformedReply, ReplyCache
from pipeline.records import EXAMPLE, reject, stable_id

log = logging.getLogger(__name__)

TASK = "llm_qa"
SCHEMA = "llm-qa"
SYSTEM = (
    "You turn one section of a document into question-answer pairs for training an assistant.\n"
    "- Write exactly {n} different questions that the section answers.\n"
    "- Take every answer from the section: quote it or paraphrase it closely, keeping its words. "
    "Use no outside knowledge and add nothing the section does not say.\n"
    "- Make each question understandable without the section: name the product or topic, never 'the text'.\n"
    'Reply with only a JSON object: {{"pairs": [{{"question": "...", "answer": "..."}}]}}'
)
# Keywords that strict structured-output endpoints (OpenAI among them) reject in a response_format schema;
# the full schema still validates every reply locally, so dropping them on the wire loses nothing.
NOT_ON_THE_WIRE = frozenset({"$schema", "$id", "title", "minLength", "maxLength"})
FENCED = re.compile(r"```[\w-]*\s*\n?(.*?)```", re.S)
WORD = re.compile(r"\w+")
# Too common to show that an answer came from its section.
STOPWORD_TEXT = """
the and for are but not you your yours with this that these those from have has had was were will would can could
should shall may might must into onto than then them they their there here what which when where who whom whose why
how its also any all each some such only own same very just about after before over under again once more most other
our ours out off too does did doing done being been because while during until between both few nor yes one get got
use used using via per
"""
STOPWORDS = frozenset(STOPWORD_TEXT.split())
EXTRA = pl.Schema({"_reason": pl.String, "_detail": pl.String, "_start": pl.Int64, "_pair": pl.Int64})


class LLMResult(NamedTuple):
    """Examples kept, rows rejected (generate stage), and what the run cost."""

    kept: pl.DataFrame
    rejected: pl.DataFrame
    usage: dict


def generate_with_llm(
    sections: pl.DataFrame, cfg: LLMConfig, system_prompt: str | None, api_key: str | None, cache_dir: Path
) -> LLMResult:
    """One request per long-enough section; pairs that survive parsing and grounding become examples.

    Sections are handled in (source, section, offset) order and the output is sorted the same way, so a
    run's frames do not depend on which reply arrived first.
    """
    api_key = usable_key(api_key, cfg)
    ordered = sections.sort("source", "section", "body_start").to_dicts()
    todo = [index for index, section in enumerate(ordered) if len(section["body"]) >= cfg.min_section_chars]
    budget = Budget(cfg)
    with ChatClient(cfg, api_key, budget, ReplyCache(cache_dir)) as client:
        replies = client.ask_all([build_job(ordered[index], cfg) for index in todo], parse_pairs)
    answers = dict(zip(todo, replies, strict=True))
    rows = []
    for index, section in enumerate(ordered):
        rows.extend(section_rows(section, answers.get(index) or too_short(section, cfg), cfg, system_prompt))
    frame = pl.DataFrame(rows, schema={**EXAMPLE, **EXTRA}).sort("source", "section", "_start", "_pair")
    kept = frame.filter(pl.col("_reason").is_null()).select(EXAMPLE.names())
    rejected = reject(frame.filter(pl.col("_reason").is_not_null()), pl.col("_reason"), pl.col("_detail"))
    rejected = rejected.drop(EXTRA.names())
    usage = summarise_usage(budget, list(answers.values()))
    log.info("LLM generation: %d examples kept, %d rejected; usage %s", kept.height, rejected.height, usage)
    return LLMResult(kept, rejected, usage)


def summarise_usage(budget: Budget, answers: list[Answer]) -> dict:
    """What the run sent and spent; requests include retries, cache hits cost nothing."""
    not_sent = sum(answer.reason == "llm_budget_exhausted" for answer in answers)
    if budget.exhausted:
        log.warning("LLM budget reached (llm.max_requests or llm.max_cost_usd): %d section(s) not sent", not_sent)
    return {
        "requests": budget.requests,
        "cache_hits": sum(answer.cached for answer in answers),
        "prompt_tokens": budget.prompt_tokens,
        "completion_tokens": budget.completion_tokens,
        "cost_usd": round(budget.cost_usd, 6),
        "failed_sections": sum(answer.reason in ("llm_malformed", "llm_request_failed") for answer in answers),
        "budget_exhausted": budget.exhausted,
    }


def usable_key(api_key: str | None, cfg: LLMConfig) -> str | None:
    """The key as it can go in a header (no key when empty: local servers need none), after checking the URL.

    Both would otherwise fail every section the same way; one ConfigError says so once.
    """
    if not re.match(r"https?://[^/\s]", cfg.base_url):
        raise ConfigError(
            f"field 'llm.base_url': {cfg.base_url!r} is not an http(s) URL; use e.g. http://127.0.0.1:8000/v1"
        )
    key = (api_key or "").strip()
    if key and not all(33 <= ord(char) < 127 for char in key):
        raise ConfigError(
            f"the API key in the environment variable {cfg.api_key_env} contains spaces or non-ASCII characters, "
            "which cannot be sent in an HTTP header; check how the variable is set"
        )
    return key or None


def build_job(section: dict, cfg: LLMConfig) -> Job:
    """The request for one section, and the cache key of everything in it that can change the reply."""
    system = SYSTEM.format(n=cfg.questions_per_section)
    labels = (("Document", section["title"]), ("Section", section["section"]))
    context = "".join(f"{label}: {value}\n" for label, value in labels if value)
    user = f"{context}\n<section>\n{section['body']}\n</section>"
    options = request_options(cfg, "qa_pairs", SCHEMA)
    # The user text holds the body plus the title and heading path the model also sees.
    settings = (cfg.model, cfg.temperature, cfg.max_tokens, cfg.questions_per_section, cfg.structured_output)
    key = ReplyCache.key(section["body"], cfg.prompt_version, *settings, system, user)
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    return Job(key, messages, options)


def request_options(cfg: LLMConfig, name: str, schema_file: str) -> dict[str, Any]:
    """Model settings of a request, with the reply's JSON Schema when the endpoint takes structured output."""
    options: dict[str, Any] = {"model": cfg.model, "temperature": cfg.temperature, "max_tokens": cfg.max_tokens}
    if cfg.structured_output:
        schema = {"name": name, "schema": wire_schema(load_schema(schema_file)), "strict": True}
        options["response_format"] = {"type": "json_schema", "json_schema": schema}
    return options


def wire_schema(schema: Any) -> Any:
    """`schema` without the keywords strict structured-output endpoints refuse."""
    if isinstance(schema, dict):
        return {key: wire_schema(value) for key, value in schema.items() if key not in NOT_ON_THE_WIRE}
    if isinstance(schema, list):
        return [wire_schema(value) for value in schema]
    return schema


def parse_pairs(text: str) -> list[dict]:
    """The pairs in a reply, tolerating code fences and prose around the JSON; MalformedReply otherwise."""
    return load_reply(text, "pairs", SCHEMA)["pairs"]


def load_reply(text: str, field: str, schema: str) -> dict:
    """The JSON object in a reply, tolerating code fences, prose around it and a bare list of `field`."""
    fenced = FENCED.search(text)
    body = (fenced.group(1) if fenced else text).strip()
    if body.startswith("["):  # some models return the bare list
        body = f'{{"{field}": {body[: body.rfind("]") + 1]}}}'
    start, end = body.find("{"), body.rfind("}")
    try:
        value = json.loads(body[start : end + 1] if 0 <= start < end else body)
    except json.JSONDecodeError as error:
        raise MalformedReply(f"reply is not JSON: {error.msg} at char {error.pos}: {excerpt(text)}") from None
    except RecursionError:
        raise MalformedReply("reply is not JSON: nested too deeply") from None
    errors = sorted(validator(schema).iter_errors(value), key=lambda error: list(map(str, error.absolute_path)))
    if errors:
        raise MalformedReply(f"{json_path(errors[0].absolute_path)}: {errors[0].message}")
    return value


def excerpt(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return repr(text[:limit] + ("…" if len(text) > limit else ""))


def content_words(text: str) -> set[str]:
    return {word for word in WORD.findall(text.lower()) if len(word) >= 3 and word not in STOPWORDS}


def support(answer: str, body: str) -> float:
    """Share of the answer's content words found in the body; a wordless answer must occur verbatim."""
    words = content_words(answer)
    if not words:
        return float(" ".join(answer.lower().split()) in " ".join(body.lower().split()))
    return len(words & content_words(body)) / len(words)


def find_span(answer: str, body: str) -> tuple[int, int] | None:
    """Offsets of the answer in the body when it occurs verbatim up to whitespace."""
    match = re.search(r"\s+".join(map(re.escape, answer.split())), body)
    return match.span() if match else None


def too_short(section: dict, cfg: LLMConfig) -> Answer:
    detail = f"body has {len(section['body'])} characters < llm.min_section_chars={cfg.min_section_chars}; not sent"
    return Answer(None, "section_too_short", detail, False)


def section_rows(section: dict, answer: Answer, cfg: LLMConfig, system_prompt: str | None) -> list[dict]:
    """EXAMPLE rows (plus reason, detail and order) for one section: its pairs, or one row saying why none."""
    source, name, start = section["source"], section["section"], section["body_start"]
    common = {"kind": "sft", "task": TASK, "system": system_prompt, "doc_id": section["doc_id"], "source": source}
    common |= {"section": name, "generator": f"llm:{cfg.model}", "_start": start}
    if answer.reason:
        if answer.reason in ("llm_malformed", "llm_request_failed"):
            log.warning("LLM section %s > %s: %s: %s", source, name, answer.reason, answer.detail)
        row_id = stable_id("sft", TASK, system_prompt, None, source, name, cfg.model, cfg.prompt_version, start)
        return [{**common, "id": row_id, "_reason": answer.reason, "_detail": answer.detail, "_pair": -1}]
    rows = []
    for index, pair in enumerate(answer.value):
        question, reply = pair["question"].strip(), pair["answer"].strip()
        messages = [{"role": "user", "content": question}, {"role": "assistant", "content": reply}]
        # A verbatim answer points at its own text; a supported paraphrase at the section it was drawn from.
        span = (find_span(reply, section["body"]) if reply else None) or (0, len(section["body"]))
        reason, detail = judge(index, question, reply, section["body"], cfg)
        # Where and which pair: an endpoint may return one pair twice, and a page may repeat a heading path;
        # the copies are then exact duplicates for dedup to reject, not one id written twice.
        row_id = stable_id(
            "sft", TASK, system_prompt, messages, source, name, cfg.model, cfg.prompt_version, start, index
        )
        rows.append(
            {
                **common,
                "id": row_id,
                "messages": messages,
                "span_start": start + span[0],
                "span_end": start + span[1],
                "_reason": reason,
                "_detail": detail,
                "_pair": index,
            }
        )
    return rows


def judge(index: int, question: str, answer: str, body: str, cfg: LLMConfig) -> tuple[str | None, str | None]:
    """Why pair `index` of a section cannot be kept, as (reason, detail); (None, None) when it can."""
    if not question or not answer:
        return "llm_malformed", f"pairs[{index}].{'question' if not question else 'answer'} is blank"
    if index >= cfg.questions_per_section:
        return (
            "over_cap",
            f"pair {index + 1} of a reply asked for {cfg.questions_per_section} (llm.questions_per_section)",
        )
    score = support(answer, body)
    if score < cfg.min_support:
        return "unsupported", f"support {score:.2f} < {cfg.min_support:.2f} (answer words found in the section)"
    return None, None
