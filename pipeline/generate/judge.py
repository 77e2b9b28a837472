"""Preference pairs from LLM candidate answers scored by an LLM judge against a constitution of principles.

For each grounded single-turn example the [llm] endpoint writes `judge.candidates` answers of varying
completeness from the example's passage (its section body); a second request scores them, with the
extracted answer as candidate 0, from 1 to 10 against the numbered principles. Best against worst becomes
the pair, and `rationale` records the principles, both scores and both reasons, so a reviewer can see
why one answer won. Scores too close to call, a winner the passage does not back, and failed or unsent
requests all become REJECTED rows: every input example ends in exactly one of the two frames.
Requests, prompts and reply parsing live in `judge_requests.py`; HTTP, cache and budget in `llm_client.py`.
"""

import json
import logging
from functools import partial
from pathlib import Path
from typing import NamedTuple

import polars as pl

from pipeline.config import JudgeConfig, LLMConfig
from pipeline.generate.judge_requests import candidates_job, parse_candidates, parse_verdict, verdict_job
from pipeline.generate.llm import summarise_usage, support, usable_key
from pipeline.generate.llm_client import Answer, Budget, ChatClient, ReplyCache
from pipeline.records import EXAMPLE, reject, stable_id

log = logging.getLogger(__name__)

NEGATIVE = "llm_judge"
EXTRA = pl.Schema({"_reason": pl.String, "_detail": pl.String, "_order": pl.Int64})
PASSAGE = ("title", "body", "body_start", "body_end")


class JudgeResult(NamedTuple):
    """Pairs kept, examples rejected (generate stage), and what the run cost (generate_with_llm's usage keys)."""

    kept: pl.DataFrame
    rejected: pl.DataFrame
    usage: dict


def judge_preferences(
    examples: pl.DataFrame,
    sections: pl.DataFrame,
    llm: LLMConfig,
    judge: JudgeConfig,
    api_key: str | None,
    cache_dir: Path,
) -> JudgeResult:
    """One preference pair (or one rejected row) per example, in (source, section, span) order.

    Examples go in batches of `llm.concurrency`: candidates for the batch, then its verdicts. A capped
    budget therefore ends in whole pairs, not in candidates nobody judged, and the cut falls on the
    same examples on every run, whatever order the replies arrive in.
    """
    api_key = usable_key(api_key, llm)
    items = with_passages(examples, sections)
    budget, rows = Budget(llm), []
    answers: list[Answer] = []  # every Answer of both requests, for the usage
    with ChatClient(llm, api_key, budget, ReplyCache(cache_dir)) as client:
        for start in range(0, len(items), llm.concurrency):
            rows.extend(judge_batch(client, items[start : start + llm.concurrency], llm, judge, answers))
    frame = pl.DataFrame(rows, schema={**EXAMPLE, **EXTRA}).sort("_order")
    kept = frame.filter(pl.col("_reason").is_null()).select(EXAMPLE.names())
    rejected = reject(frame.filter(pl.col("_reason").is_not_null()), pl.col("_reason"), pl.col("_detail"))
    usage = summarise_usage(budget, answers)
    log.info("LLM judge: %d preference pairs kept, %d examples rejected; usage %s", kept.height, rejected.height, usage)
    return JudgeResult(kept, rejected.drop(EXTRA.names()), usage)


def with_passages(examples: pl.DataFrame, sections: pl.DataFrame) -> list[dict]:
    """Examples in a stable order, each with the section body it was drawn from (None when not found).

    A document may repeat a heading path; the section whose body holds the example's span is the one.
    """
    ordered = (
        examples.select(EXAMPLE.names())
        .sort("source", "section", "span_start", "id", nulls_last=True, maintain_order=True)
        .with_row_index("_order")
    )
    bodies = sections.select("doc_id", "section", *PASSAGE)
    inside = (pl.col("span_start") >= pl.col("body_start")) & (pl.col("span_end") <= pl.col("body_end"))
    joined = (
        ordered.join(bodies, on=["doc_id", "section"], how="left")
        .with_columns(_inside=inside.fill_null(False))
        .sort("_order", "_inside", "body_start", descending=[False, True, False], nulls_last=True)
        .unique("_order", keep="first", maintain_order=True)
    )
    return [describe(item) for item in joined.to_dicts()]


def describe(item: dict) -> dict:
    """The example with its question and reference answer, or the reason it cannot be judged."""
    messages = item["messages"] or []
    roles = [message["role"] for message in messages]
    item["_reason"] = item["_detail"] = None
    if item["body"] is None:
        item["_reason"] = "no_section"
        item["_detail"] = (
            f"section {item['section']!r} of {item['source']} is not among the sections; nothing to judge by"
        )
    elif roles != ["user", "assistant"] or not all((message["content"] or "").strip() for message in messages):
        item["_reason"] = "not_single_turn"
        item["_detail"] = f"turns {roles} (or a blank one); judging needs one user question and its answer"
    else:
        item["question"], item["reference"] = messages[0]["content"], messages[1]["content"]
        item["messages"] = messages[:1]
    return item


def judge_batch(
    client: ChatClient, batch: list[dict], llm: LLMConfig, judge: JudgeConfig, answers: list[Answer]
) -> list[dict]:
    """Rows for a batch: candidates for every judgeable example, then a verdict for each that got them."""
    failed = {
        item["_order"]: Answer(None, item["_reason"], item["_detail"], False) for item in batch if item["_reason"]
    }
    asking = [item for item in batch if item["_order"] not in failed]
    replies = client.ask_all(
        [candidates_job(item, llm, judge) for item in asking], partial(parse_candidates, count=judge.candidates)
    )
    answers.extend(replies)
    for item, reply in zip(asking, replies, strict=True):
        item["candidates"] = reply.value
        if reply.reason:
            failed[item["_order"]] = reply
    judging = [item for item in asking if item["_order"] not in failed]
    verdicts = client.ask_all(
        [verdict_job(item, item["candidates"], llm, judge) for item in judging],
        partial(parse_verdict, count=judge.candidates + 1),
    )
    answers.extend(verdicts)
    scored = {}
    for item, verdict in zip(judging, verdicts, strict=True):
        if verdict.reason:
            failed[item["_order"]] = verdict
        else:
            scored[item["_order"]] = verdict.value
    return [
        failed_row(item, failed[item["_order"]], llm)
        if item["_order"] in failed
        else pair_row(item, scored[item["_order"]], llm, judge)
        for item in batch
    ]


def common(item: dict, llm: LLMConfig) -> dict:
    """The columns a pair shares with the example it was judged from, whatever becomes of it."""
    keep = ("task", "system", "messages", "doc_id", "source", "section", "span_start", "span_end", "_order")
    return {name: item[name] for name in keep} | {
        "kind": "preference",
        "negative": NEGATIVE,
        "generator": f"llm-judge:{llm.model}",
    }


def failed_row(item: dict, answer: Answer, llm: LLMConfig) -> dict:
    """A rejected row for an example that got no verdict; its input id keeps same-question examples apart."""
    if answer.reason in ("llm_malformed", "llm_request_failed"):
        log.warning("LLM judge %s > %s: %s: %s", item["source"], item["section"], answer.reason, answer.detail)
    row = common(item, llm)
    parts = (row["system"], row["messages"], None, None, row["source"], row["section"], item["id"])
    return row | {"id": stable_id("preference", NEGATIVE, *parts), "_reason": answer.reason, "_detail": answer.detail}


def pair_row(item: dict, scores: dict[int, tuple[float, str]], llm: LLMConfig, judge: JudgeConfig) -> dict:
    """Best against worst (ties go to the lower candidate index), kept or rejected with the judge's reasons."""
    answers = [item["reference"], *item["candidates"]]
    best = min(scores, key=lambda index: (-scores[index][0], index))
    worst = min(scores, key=lambda index: (scores[index][0], index))
    chosen, rejected = answers[best], answers[worst]
    rationale = {
        "principles": judge.principles,
        "scores": {"chosen": scores[best][0], "rejected": scores[worst][0]},
        "reasons": {"chosen": scores[best][1], "rejected": scores[worst][1]},
    }
    row = common(item, llm)
    parts = (row["system"], row["messages"], chosen, rejected, row["source"], row["section"])
    reason, detail = why_not(best, worst, answers, scores, item["body"], llm, judge)
    return row | {
        "id": stable_id("preference", NEGATIVE, *parts),
        "chosen": chosen,
        "rejected": rejected,
        "rationale": json.dumps(rationale, ensure_ascii=False, separators=(",", ":")),
        "_reason": reason,
        "_detail": detail,
    }


def why_not(
    best: int,
    worst: int,
    answers: list[str],
    scores: dict[int, tuple[float, str]],
    body: str,
    llm: LLMConfig,
    judge: JudgeConfig,
) -> tuple[str | None, str | None]:
    """Why the pair cannot be kept, as (reason, detail); (None, None) when it can."""
    margin = round(scores[best][0] - scores[worst][0], 6)  # 7.3 - 6.3 must not fall short of a margin of 1
    if margin < judge.min_margin or " ".join(answers[best].split()) == " ".join(answers[worst].split()):
        listed = json.dumps({str(index): scores[index][0] for index in sorted(scores)}, separators=(",", ":"))
        return "tie", (
            f"best {scores[best][0]:g} (candidate {best}) - worst {scores[worst][0]:g} (candidate {worst}) = "
            f"{margin:g}, below judge.min_margin={judge.min_margin:g} or the same text; scores {listed}"
        )
    share = support(answers[best], body)
    if share < llm.min_support:
        return "unsupported", (
            f"support {share:.2f} < {llm.min_support:.2f}: the judge preferred candidate {best}, "
            "whose words the passage does not back"
        )
    return None, None
