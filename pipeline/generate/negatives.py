"""Candidate negatives for each prompt: the answers to the other questions most like it, nearest first.

A rejected answer teaches most when it is plausible for the prompt but wrong: the answer to a question
about the same thing ("public transit in Chicago" for "public transit in San Francisco"). Questions are
compared on what they ask: their content words (no stop or question-template words, plurals folded) less
the words of the page's title that the section's own heading does not repeat, since the generators anchor
every question to its page ("... in San Francisco?") and the anchor says nothing of what is asked. With no
word left, the whole question counts ("Tell me about Microsoft Office." on the page "Microsoft Office").

BM25 (bm25s) ranks the other questions for each prompt; `similarity` is a candidate's BM25 score as a
share of the prompt's own question's (which holds every asked word), capped at 1. Measured on the 18F
handbook (bench/RESULTS.md): indexing answers too let long answers match on incidental words, and MinHash
over questions found a candidate for fewer prompts. Candidates come nearest first: tier 0 the same
document and topic (the same parent heading), tier 1 the same document, tier 2 another document; by
similarity within a tier.
"""

import bm25s
import numpy as np
import polars as pl
from bm25s.stopwords import STOPWORDS_EN
from bm25s.tokenization import Tokenized

TOP = 100  # candidates scored per prompt; a prompt's other answers score lower than these
# Under this share of the prompt's own score a candidate is unrelated to it. Another document's needs
# more: its page does not vouch for the topic, and one shared word ("keep", "access") was the usual
# cause of an unrelated negative from elsewhere (bench/RESULTS.md).
WEAK_BELOW = 0.3
WEAK_BELOW_ELSEWHERE = 0.5
NO_WORD = "\x00"
CANDIDATES = pl.Schema({"row": pl.UInt32, "candidate": pl.UInt32, "tier": pl.Int8, "similarity": pl.Float64})
# The words of the question templates (generate/subject.py, glossary.py): every generated question has them.
QUESTION_WORDS = (
    *STOPWORDS_EN,
    "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "do", "does", "did", "can", "could",
    "should", "would", "may", "must", "have", "has", "i", "me", "my", "we", "our", "us", "you", "your", "need",
    "know", "tell", "about", "stand", "mean", "meant", "means", "term", "acronym", "get", "there", "some", "any",
)  # fmt: skip


def rank_candidates(records: pl.DataFrame) -> pl.DataFrame:
    """For each row of `records` (doc_id, section, title, question): its best other answers as
    (row, candidate, tier, similarity), nearest tier first; rows of the same section are never candidates."""
    if records.height < 2:
        return pl.DataFrame(schema=CANDIDATES)
    asked = tokens(pl.col("question")).list.set_difference(
        tokens(pl.col("title")).list.set_difference(tokens(pl.col("section").str.split(" > ").list.last()))
    )
    words = records.select(question=tokens(pl.col("question")), asked=asked).with_columns(
        asked=pl.when(pl.col("asked").list.len() > 0).then("asked").otherwise("question")
    )
    questions = words["question"].to_list()
    vocab = {word: n for n, word in enumerate(dict.fromkeys(["", NO_WORD, *(w for q in questions for w in q)]))}
    index = bm25s.BM25()
    index.index(Tokenized(as_ids(questions, vocab, ""), vocab), show_progress=False)
    top = min(TOP, records.height)
    queries = Tokenized(as_ids(words["asked"].to_list(), vocab, NO_WORD), vocab)
    found, scores = index.retrieve(queries, k=top, show_progress=False, n_threads=1)
    scored = pl.DataFrame(
        {
            "row": np.repeat(np.arange(records.height, dtype=np.uint32), top),
            "candidate": found.astype(np.uint32).ravel(),
            "score": scores.astype(np.float64).ravel(),
        }
    )
    # A prompt's own question holds every word it asks: the score to measure the others by.
    own = scored.filter(pl.col("row") == pl.col("candidate")).select("row", own="score")
    scored = scored.join(own, on="row", how="left").with_columns(
        own=pl.coalesce("own", pl.col("score").max().over("row"))
    )
    similarity = pl.when(pl.col("own") > 0).then(pl.min_horizontal(pl.col("score") / pl.col("own"), 1.0))
    where = records.select("doc_id", "section", topic=topic()).with_row_index("index")
    ranked = scored.join(where.rename(lambda c: f"{c}_row"), left_on="row", right_on="index_row").join(
        where.rename(lambda c: f"{c}_candidate"), left_on="candidate", right_on="index_candidate"
    )
    same_document = pl.col("doc_id_row") == pl.col("doc_id_candidate")
    same_topic = same_document & (pl.col("topic_row") == pl.col("topic_candidate"))
    tier = pl.when(same_topic).then(0).when(same_document).then(1).otherwise(2).cast(pl.Int8)
    same_section = same_document & (pl.col("section_row") == pl.col("section_candidate"))
    return (
        ranked.filter(~same_section)
        .select("row", "candidate", tier.alias("tier"), similarity.fill_null(0.0).round(4).alias("similarity"))
        .sort(["row", "tier", "similarity", "candidate"], descending=[False, False, True, False])
    )


def weak_below(tier: int) -> float:
    """The similarity under which a candidate of this tier is unrelated to its prompt."""
    return WEAK_BELOW_ELSEWHERE if tier == 2 else WEAK_BELOW


def as_ids(texts: list[list[str]], vocab: dict[str, int], blank: str) -> list[list[int]]:
    """Word lists as vocabulary ids for bm25s; an empty list as `blank` (a question with no content word
    is indexed as "", and asks for NO_WORD, which no question holds, so it matches nothing)."""
    return [[vocab[word] for word in text] or [vocab[blank]] for text in texts]


def tokens(text: pl.Expr) -> pl.Expr:
    """Lower-case words of two or more characters without stop and question-template words (bm25s's pattern)."""
    found = text.fill_null("").str.to_lowercase().str.extract_all(r"\b\w\w+\b")
    words = pl.element().filter(~pl.element().is_in(QUESTION_WORDS))
    return found.list.eval(words.str.replace(r"^(\w{3,}[^su])s$", "${1}")).list.unique(maintain_order=True)


def topic() -> pl.Expr:
    """The parent heading path of a section: sections under the same heading answer about one topic."""
    return pl.col("section").str.replace(r"(^|\s>\s)[^>]*$", "")
