"""Preference pairs from documents: each grounded answer (chosen) against a verified worse answer (rejected).

Rejected answers are of recorded kinds (`negative`):
- wrong_section: the answer to the most similar question from another section, found with MinHash
  signatures of the questions and an LSH group-by (pipeline/similarity/ with small shingles);
- other_document: an answer of the same task from another document, chosen by a seeded hash;
- truncated: the chosen answer cut before the sentence that answers the question.
Every pair is verified before it is kept: the rejected text must not answer the prompt (it may not
contain the chosen answer's key sentence, nor, unless truncated, be text of the chosen answer's own
section), and it must differ from the chosen text by `preference.min_difference`. Failed pairs are
rejected with the reason; an example that offers no negative at all is rejected as `no_negative`.
"""

import hashlib
import itertools
import re
from collections import Counter

import polars as pl

from pipeline.config import PreferenceConfig
from pipeline.records import EXAMPLE, Split, reject, stable_id
from pipeline.sentences import sentence_spans
from pipeline.similarity.jaccard import jaccard
from pipeline.similarity.lsh import candidate_pairs
from pipeline.similarity.minhash import set_signatures

WORD = re.compile(r"\w+")
STOP = {"the", "a", "an", "of", "to", "in", "on", "for", "and", "or", "is", "are", "be", "it", "this", "that", "with"}
STOP |= {"what", "how", "do", "does", "can", "i", "my", "you", "your"}
SINGLE_TURN = ("faq", "qa", "glossary", "definition", "heading", "table_cell", "list", "llm_qa")
# Questions are short, so similar ones share few shingles: 32 bands of 2 rows find 97% of pairs at Jaccard 0.33.
QUESTION_PERMUTATIONS = 128
QUESTION_BANDS = 32
QUESTION_ROWS = 2
QUESTION_SEED = 7


def build_negative_pairs(examples: pl.DataFrame, sections: pl.DataFrame, cfg: PreferenceConfig) -> Split:
    """Preference rows from grounded single-turn SFT examples; failed or impossible pairs are rejected."""
    rows = examples.filter(pl.col("task").is_in(SINGLE_TURN) & (pl.col("kind") == "sft"))
    rows = rows.join(sections.select("doc_id", "section", _passage="body"), on=["doc_id", "section"], how="left")
    records = rows.to_dicts()
    for record in records:  # single-turn: messages are [user, assistant]
        record["_question"], record["_answer"] = record["messages"][0]["content"], record["messages"][-1]["content"]
    nearest = most_similar_questions(records)
    pairs, failures, reasons = [], [], []
    for index, record in enumerate(records):
        made = candidates(index, record, records, nearest, cfg)
        if not made:
            failures.append({key: record.get(key) for key in EXAMPLE})
            reasons.append(("no_negative", f"none of {', '.join(cfg.negatives)} applies to this answer"))
        for negative, rejected, rationale in made[: cfg.per_example]:
            problem = verify(record, negative, rejected, cfg)
            pair = pair_row(record, negative, rejected, rationale)
            if problem is None:
                pairs.append(pair)
            else:
                failures.append(pair)
                reasons.append(problem)
    failed = pl.DataFrame(failures, schema=EXAMPLE).with_columns(
        _reason=pl.Series([reason for reason, _ in reasons], dtype=pl.String),
        _detail=pl.Series([detail for _, detail in reasons], dtype=pl.String),
    )
    rejects = reject(failed, pl.col("_reason"), pl.col("_detail")).drop("_reason", "_detail")
    return Split(pl.DataFrame(pairs, schema=EXAMPLE), rejects)


def words(text: str) -> list[str]:
    return [word.lower() for word in WORD.findall(text)]


def question_shingles(question: str) -> frozenset[str]:
    tokens = [word for word in words(question) if word not in STOP] or words(question)
    return frozenset(tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)])


def most_similar_questions(records: list[dict]) -> dict[int, tuple[int, float]]:
    """For each example, the most similar question from another section (LSH candidates, exact Jaccard)."""
    if len(records) < 2:
        return {}
    shingles = [question_shingles(record["_question"]) for record in records]
    signatures = set_signatures(shingles, QUESTION_PERMUTATIONS, QUESTION_SEED)
    best: dict[int, tuple[int, float]] = {}
    for a, b in candidate_pairs(signatures, QUESTION_BANDS, QUESTION_ROWS).iter_rows():
        if (records[a]["doc_id"], records[a]["section"]) == (records[b]["doc_id"], records[b]["section"]):
            continue
        similarity = jaccard(shingles[a], shingles[b])
        for this, other in ((a, b), (b, a)):
            if similarity > best.get(this, (-1, -1.0))[1]:
                best[this] = (other, similarity)
    return best


def seeded(*key: object) -> int:
    return int.from_bytes(hashlib.sha256("\x00".join(map(str, key)).encode()).digest()[:8], "big")


def candidates(
    index: int, record: dict, records: list[dict], nearest: dict, cfg: PreferenceConfig
) -> list[tuple[str, str, str]]:
    """(negative kind, rejected text, rationale) for each kind that applies, in a seeded rotation."""
    made: dict[str, tuple[str, str, str]] = {}
    if "wrong_section" in cfg.negatives and index in nearest:
        other, similarity = nearest[index]
        source = records[other]
        made["wrong_section"] = (
            "wrong_section",
            source["_answer"],
            f'answer to "{source["_question"]}" ({source["source"]}, question Jaccard {similarity:.2f})',
        )
    if "other_document" in cfg.negatives:
        pool = [r for r in records if r["doc_id"] != record["doc_id"] and r["task"] == record["task"]]
        if pool:
            source = pool[seeded(cfg.seed, record["id"]) % len(pool)]
            made["other_document"] = ("other_document", source["_answer"], f"answer from {source['source']}")
    if "truncated" in cfg.negatives:
        cut = truncated(record["_question"], record["_answer"])
        if cut:
            made["truncated"] = ("truncated", cut[0], f"cut before sentence {cut[1] + 1} of the answer")
    order = [kind for kind in cfg.negatives if kind in made]
    shift = seeded(cfg.seed, "order", record["id"]) % len(order) if order else 0
    return [made[kind] for kind in order[shift:] + order[:shift]]


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
    index, _ = key_sentence(question, answer)
    if index == 0:
        return None
    start = sentence_spans(answer)[index][0]
    return answer[:start].rstrip(), index


def squash(text: str) -> str:
    return " ".join(words(text))


def difference(chosen: str, rejected: str) -> float:
    a, b = Counter(words(chosen)), Counter(words(rejected))
    longer = max(sum(a.values()), sum(b.values())) or 1
    return 1 - sum((a & b).values()) / longer


def verify(record: dict, negative: str, rejected: str, cfg: PreferenceConfig) -> tuple[str, str] | None:
    chosen = record["_answer"]
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


def pair_row(record: dict, negative: str, rejected: str, rationale: str) -> dict:
    messages = [record["messages"][0]]
    return {
        **{
            key: record[key]
            for key in ("task", "system", "doc_id", "source", "section", "span_start", "span_end", "generator")
        },
        "id": stable_id(
            "preference",
            negative,
            record["system"],
            messages,
            record["_answer"],
            rejected,
            record["source"],
            record["section"],
        ),
        "kind": "preference",
        "messages": messages,
        "chosen": record["_answer"],
        "rejected": rejected,
        "negative": negative,
        "rationale": rationale,
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
