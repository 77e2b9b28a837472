"""Preference pairs from documents: each grounded answer (chosen) against a verified worse answer (rejected).

Rejected answers are of recorded kinds (`negative`), each with its similarity to the prompt
(`negative_similarity`, generate/negatives.py):
- wrong_section: the answer to the question most like the prompt (BM25) from another section of the same
  document, the same topic first;
- other_document: the answer to the question most like the prompt from another document;
- truncated: the chosen answer cut before the sentence that answers the question, when at least
  `TRUNCATED_MIN_WORDS` remain and the answer is no definition (no similarity: it is the chosen
  answer's own text).
Every candidate is verified before it is used: the rejected text must not answer the prompt (it may not
contain the chosen answer's key sentence, nor, unless truncated, be text of the chosen answer's own
section, nor answer the same question), and it must differ from the chosen text by
`preference.min_difference`. The nearest candidate that passes is taken; one that shares too little with
the prompt to be a plausible answer is rejected as `weak_negative` unless `preference.allow_easy_negatives`.
An example that offers no negative at all is rejected as `no_negative`.
"""

import itertools
import re
from collections import Counter
from typing import NamedTuple

import polars as pl

from pipeline.config import PreferenceConfig
from pipeline.generate.negatives import rank_candidates, weak_below
from pipeline.records import EXAMPLE, Split, check_unique_ids, reject, stable_id
from pipeline.sentences import sentence_spans
from pipeline.similarity.jaccard import jaccard

WORD = re.compile(r"\w+")
STOP = {"the", "a", "an", "of", "to", "in", "on", "for", "and", "or", "is", "are", "be", "it", "this", "that", "with"}
STOP |= {"what", "how", "do", "does", "can", "i", "my", "you", "your"}
SINGLE_TURN = ("faq", "qa", "glossary", "definition", "heading", "table_cell", "list", "llm_qa")
# A definition's first sentence is the definition: cut after it, it is still the right answer.
DEFINING = ("glossary", "definition")
TRUNCATED_MIN_WORDS = 8
SAME_QUESTION = 0.8  # question Jaccard at which another section answers the prompt's own question
PAIR = pl.Schema({**dict(EXAMPLE), "negative_similarity": pl.Float64()})


class Negative(NamedTuple):
    kind: str
    text: str
    rationale: str
    similarity: float | None  # None for truncated: the chosen answer's own text
    problem: tuple[str, str] | None = None  # (reason, detail) when it may not be used


def build_negative_pairs(examples: pl.DataFrame, sections: pl.DataFrame, cfg: PreferenceConfig) -> Split:
    """Preference rows from grounded single-turn SFT examples; failed or impossible pairs are rejected."""
    rows = examples.filter(pl.col("task").is_in(SINGLE_TURN) & (pl.col("kind") == "sft"))
    # A document may repeat a heading path (two "## Eligibility" under one parent): one passage per
    # key, or the join would repeat each of those examples, and its pairs, once per namesake section.
    passages = sections.group_by("doc_id", "section", maintain_order=True).agg(
        _passage=pl.col("body").str.join("\n\n"), _title=pl.col("title").first()
    )
    rows = rows.join(passages, on=["doc_id", "section"], how="left", validate="m:1")
    rows = rows.with_columns(
        _question=pl.col("messages").list.first().struct.field("content"),  # single-turn: [user, assistant]
        _answer=pl.col("messages").list.last().struct.field("content"),
    )
    ranked = rank_candidates(rows.select("doc_id", "section", title="_title", question="_question"))
    grouped = ranked.group_by("row", maintain_order=True).agg("candidate", "tier", "similarity")
    nearest = {row: list(zip(*lists, strict=True)) for row, *lists in grouped.iter_rows()}
    records = rows.to_dicts()
    pairs, failures, reasons = [], [], []
    for index, record in enumerate(records):
        chosen = choose_negatives(record, nearest.get(index), records, cfg)
        if not chosen:
            failures.append({key: record.get(key) for key in EXAMPLE})
            reasons.append(("no_negative", f"none of {', '.join(cfg.negatives)} applies to this answer"))
        for negative in chosen[: cfg.per_example]:
            pair = pair_row(record, negative)
            if negative.problem is None:
                pairs.append(pair)
            else:
                failures.append(pair)
                reasons.append(negative.problem)
    kept = pl.DataFrame(pairs, schema=PAIR)
    check_unique_ids(kept, "preference pairs")
    failed = pl.DataFrame(failures, schema=PAIR).with_columns(
        _reason=pl.Series([reason for reason, _ in reasons], dtype=pl.String),
        _detail=pl.Series([detail for _, detail in reasons], dtype=pl.String),
    )
    rejects = reject(failed, pl.col("_reason"), pl.col("_detail")).drop("_reason", "_detail")
    return Split(kept, rejects)


def words(text: str) -> list[str]:
    return [word.lower() for word in WORD.findall(text)]


def question_shingles(question: str) -> frozenset[str]:
    tokens = [word for word in words(question) if word not in STOP] or words(question)
    return frozenset(tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)])


def choose_negatives(record: dict, ranked: list | None, records: list[dict], cfg: PreferenceConfig) -> list[Negative]:
    """The negatives of one example, best first: related nearest answers, the truncated answer, then
    those that may not be used (weak or unverified), whose reasons become the rejects."""
    made = [
        nearest_negative(record, ranked, records, kind, cfg)
        for kind in ("wrong_section", "other_document")
        if kind in cfg.negatives
    ]
    if "truncated" in cfg.negatives and record["task"] not in DEFINING:
        cut = truncated(record["_question"], record["_answer"])
        if cut:
            rationale = f"cut before sentence {cut[1] + 1} of the answer"
            made.append(Negative("truncated", cut[0], rationale, None, verify(record, "truncated", cut[0], cfg)))
    usable = [negative for negative in made if negative is not None]
    return sorted(usable, key=lambda negative: (negative.problem is not None, negative.kind == "truncated"))


def nearest_negative(
    record: dict, ranked: list | None, records: list[dict], kind: str, cfg: PreferenceConfig
) -> Negative | None:
    """The nearest verified and related candidate of one kind; else the nearest weak one, else the first
    that failed verification (its reason becomes the reject's)."""
    tiers = (0, 1) if kind == "wrong_section" else (2,)
    weak = failed = None
    for candidate, tier, similarity in ranked or []:
        if tier not in tiers:
            continue
        source = records[candidate]
        where = "same topic" if tier == 0 else ("same document" if tier == 1 else source["source"])
        rationale = f'answer to "{source["_question"]}" ({where}, similarity {similarity:.2f})'
        problem = verify(record, kind, source["_answer"], cfg, source["_question"])
        if problem is None and similarity < weak_below(tier) and not cfg.allow_easy_negatives:
            problem = (
                "weak_negative",
                f"the nearest {kind} answer is unrelated to the prompt (similarity {similarity:.2f} < "
                f"{weak_below(tier)}); set preference.allow_easy_negatives to keep such pairs",
            )
        negative = Negative(kind, source["_answer"], rationale, similarity, problem)
        if problem is None:
            return negative
        if problem[0] == "weak_negative":
            weak = weak or negative
        else:
            failed = failed or negative
    return weak or failed


def key_sentence(question: str, answer: str) -> tuple[int, str]:
    """The sentence of the answer sharing most content words with the question (the first on a tie).

    Short tokens and numbers ("hp", "7" of "HP-7") name the subject, which every sentence may mention,
    so only longer words count.
    """
    asked = {word for word in words(question) if word not in STOP and len(word) > 2 and not word.isdigit()}
    spans = sentence_spans(answer) or [(0, len(answer))]
    scores = [len(asked & set(words(answer[start:end]))) for start, end in spans]
    best = max(range(len(spans)), key=lambda i: (scores[i], -i))
    return best, answer[spans[best][0] : spans[best][1]]


def truncated(question: str, answer: str) -> tuple[str, int] | None:
    """The answer cut before its key sentence, when what is left still reads as an answer: a few words
    ("1.", "This is you!") are no answer at all."""
    index, _ = key_sentence(question, answer)
    if index == 0:
        return None
    start = sentence_spans(answer)[index][0]
    cut = answer[:start].rstrip()
    return (cut, index) if len(words(cut)) >= TRUNCATED_MIN_WORDS else None


def squash(text: str) -> str:
    return " ".join(words(text))


def difference(chosen: str, rejected: str) -> float:
    a, b = Counter(words(chosen)), Counter(words(rejected))
    longer = max(sum(a.values()), sum(b.values())) or 1
    return 1 - sum((a & b).values()) / longer


def verify(
    record: dict, negative: str, rejected: str, cfg: PreferenceConfig, answers: str | None = None
) -> tuple[str, str] | None:
    """Why `rejected` may not be used against this example, or None; `answers` is the question it answers."""
    chosen = record["_answer"]
    if (
        answers is not None
        and jaccard(question_shingles(answers), question_shingles(record["_question"])) >= SAME_QUESTION
    ):
        return "negative_answers_prompt", f'the rejected answer answers the same question: "{answers}"'

    _, key = key_sentence(record["_question"], chosen)
    if squash(key) and squash(key) in squash(rejected):
        return "negative_is_grounded", "the rejected answer contains the sentence that answers the question"
    passage = record.get("_passage") or ""
    if negative != "truncated" and squash(rejected) and squash(rejected) in squash(passage):
        return "negative_is_grounded", "the rejected answer is text of the chosen answer's own section"
    gap = difference(chosen, rejected)
    if gap < cfg.min_difference:
        return "negative_too_similar", f"difference {gap:.2f} < preference.min_difference = {cfg.min_difference:.2f}"
    return None


def pair_row(record: dict, negative: Negative) -> dict:
    messages = [record["messages"][0]]
    return {
        **{
            key: record[key]
            for key in ("task", "system", "doc_id", "source", "section", "span_start", "span_end", "generator")
        },
        # One pair per example and kind: the example's own id (unique, unlike its text: a page may repeat a
        # section word for word) makes the pair's id unique by construction; dedup then sees the repeat.
        "id": stable_id("preference", record["id"], negative.kind, negative.text),
        "kind": "preference",
        "messages": messages,
        "chosen": record["_answer"],
        "rejected": negative.text,
        "negative": negative.kind,
        "rationale": negative.rationale,
        "negative_similarity": negative.similarity,
    }


def unpair_for_kto(examples: pl.DataFrame) -> pl.DataFrame:
    """Pairs -> KTO rows for trl-kto: the chosen answer labelled desirable, the rejected one undesirable.

    KTO learns from unpaired judgements, so a pair gives two rows; rows that are already KTO stay as they are.
    """
    pairs = examples.filter(pl.col("kind") == "preference")
    sides = [
        pairs.with_columns(
            kind=pl.lit("kto"),
            chosen=pl.col(column),
            rejected=pl.lit(None, pl.String),
            label=pl.lit(label),
            id=pl.concat_str(pl.col("id"), pl.lit(f":{column}")),
        )
        for column, label in (("chosen", True), ("rejected", False))
    ]
    return pl.concat([examples.filter(pl.col("kind") != "preference"), *sides], how="diagonal_relaxed")
