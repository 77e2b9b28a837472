"""The two requests behind an LLM-judged preference pair (candidate answers, then the judge's scores) and their parsing.

Both replies are claims to check, like `llm.py`'s: parsed leniently (code fences, prose around the object),
validated against `schemas/llm-candidates.schema.json` and `schemas/llm-judge.schema.json`, then checked for
what a schema cannot say (how many candidates came back, every candidate scored exactly once). A
MalformedReply makes the client retry with the problem shown to the model.
"""

from typing import Any

from pipeline.checks.jsonschemas import load_schema
from pipeline.config import JudgeConfig, LLMConfig
from pipeline.generate.llm import load_reply, wire_schema
from pipeline.generate.llm_client import Job, MalformedReply, ReplyCache

CANDIDATES_SYSTEM = (
    "You write candidate answers to a user's question, to be compared by a judge.\n"
    "- Write exactly {n} different answers to the question, each written from the passage.\n"
    "- Vary their completeness naturally, as different assistants would answer: from a complete and precise "
    "answer to partial or vague ones that leave details out.\n"
    "- Address the user directly; never mention 'the passage'.\n"
    'Reply with only a JSON object: {{"candidates": ["...", "..."]}}'
)
JUDGE_SYSTEM = (
    "You judge candidate answers to a user's question about a source passage, against these principles:\n"
    "{principles}\n"
    "- Score every candidate from 1 (breaks the principles) to 10 (follows all of them). Judge what is correct "
    "by the passage alone, not by outside knowledge.\n"
    "- Give each score a short reason naming the principles the answer meets or breaks.\n"
    "Reply with only a JSON object with one entry for each of the {count} candidates: "
    '{{"scores": [{{"candidate": 0, "score": 7, "reason": "..."}}]}}'
)


def candidates_job(item: dict, llm: LLMConfig, judge: JudgeConfig) -> Job:
    """Ask for `judge.candidates` answers to the example's question, written from its passage."""
    system = CANDIDATES_SYSTEM.format(n=judge.candidates)
    user = f"{context(item)}\n{tagged('passage', item['body'])}\n\n{tagged('question', item['question'])}"
    # The principles are not in this request, so changing them reuses the candidates already paid for.
    return job(("candidates", judge.prompt_version, judge.candidates), system, user, llm, "llm-candidates")


def verdict_job(item: dict, candidates: list[str], llm: LLMConfig, judge: JudgeConfig) -> Job:
    """Ask the judge to score the reference answer (candidate 0) and the candidates against the principles."""
    answers = [item["reference"], *candidates]
    principles = "\n".join(f"{number}. {principle}" for number, principle in enumerate(judge.principles, 1))
    system = JUDGE_SYSTEM.format(principles=principles, count=len(answers))
    blocks = "\n\n".join(f'<candidate index="{index}">\n{answer}\n</candidate>' for index, answer in enumerate(answers))
    user = f"{context(item)}\n{tagged('passage', item['body'])}\n\n{tagged('question', item['question'])}\n\n{blocks}"
    return job(("judge", judge.prompt_version, judge.principles), system, user, llm, "llm-judge")


def context(item: dict) -> str:
    """Where the passage comes from, and the assistant's instructions (its voice) when the example has them."""
    labels = (("Document", item["title"]), ("Section", item["section"]), ("Assistant instructions", item["system"]))
    return "".join(f"{label}: {value}\n" for label, value in labels if value)


def tagged(tag: str, text: str) -> str:
    return f"<{tag}>\n{text}\n</{tag}>"


def job(step: tuple, system: str, user: str, llm: LLMConfig, schema: str) -> Job:
    """The request, and a cache key over everything in it that can change the reply (the key is never in it)."""
    options: dict[str, Any] = {"model": llm.model, "temperature": llm.temperature, "max_tokens": llm.max_tokens}
    if llm.structured_output:
        wire = {"name": schema.replace("-", "_"), "schema": wire_schema(load_schema(schema)), "strict": True}
        options["response_format"] = {"type": "json_schema", "json_schema": wire}
    settings = (llm.model, llm.temperature, llm.max_tokens, llm.structured_output)
    key = ReplyCache.key(*step, *settings, system, user)
    return Job(key, [{"role": "system", "content": system}, {"role": "user", "content": user}], options)


def parse_candidates(text: str, count: int) -> list[str]:
    """The first `count` answers, stripped; fewer, blank or repeated answers are malformed (and retried)."""
    answers = [answer.strip() for answer in load_reply(text, "candidates", "llm-candidates")["candidates"]]
    if len(answers) < count:
        raise MalformedReply(f"candidates: {len(answers)} answer(s) where {count} were asked for")
    seen: dict[str, int] = {}
    for index, answer in enumerate(answers[:count]):
        if not answer:
            raise MalformedReply(f"candidates[{index}] is blank")
        normal = " ".join(answer.lower().split())
        if normal in seen:
            raise MalformedReply(f"candidates[{index}] repeats candidates[{seen[normal]}]; write different answers")
        seen[normal] = index
    return answers[:count]


def parse_verdict(text: str, count: int) -> dict[int, tuple[float, str]]:
    """{candidate: (score, reason)} for candidates 0..count-1, each scored exactly once; MalformedReply otherwise."""
    scores: dict[int, tuple[float, str]] = {}
    for position, entry in enumerate(load_reply(text, "scores", "llm-judge")["scores"]):
        index = int(entry["candidate"])
        if index >= count:
            raise MalformedReply(f"scores[{position}].candidate: {index} is not a candidate (0-{count - 1})")
        if index in scores:
            raise MalformedReply(f"scores[{position}].candidate: candidate {index} is scored twice")
        scores[index] = (entry["score"], entry["reason"].strip())
    missing = [index for index in range(count) if index not in scores]
    if missing:
        raise MalformedReply(f"scores: candidate(s) {', '.join(map(str, missing))} not scored; score all {count}")
    return scores
