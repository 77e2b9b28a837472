"""Candidate negatives for each prompt: the other answers, ranked by BM25 similarity to the prompt.

A rejected answer teaches most when it is plausible for the prompt but wrong, so candidates are the
answers whose question and text score best for the prompt under BM25 (bm25s; content words, English
stop words dropped). On the 18F handbook, MinHash over questions (the earlier `wrong_section`) found a
candidate sharing a word run with the prompt for few examples, while BM25 over question and answer
scores every answer that shares a content word, weighted by how rare the word is.

`similarity` is a candidate's BM25 score as a share of the best score for its prompt (normally the
prompt's own question and answer, which hold every word of it): 0 shares no content word, 1 matches as
well as the answer that was chosen. Candidates come nearest first: tier 0 the same document and topic
(the same parent heading), tier 1 the same document, tier 2 another document; by similarity within a tier.
"""

import bm25s
import numpy as np
import polars as pl

TOP = 100  # candidates scored per prompt; a prompt's other answers score lower than these
WEAK_BELOW = 0.2  # a candidate under this share of the best score is unrelated to the prompt (measured, RESULTS)
CANDIDATES = pl.Schema({"row": pl.UInt32, "candidate": pl.UInt32, "tier": pl.Int8, "similarity": pl.Float64})


def rank_candidates(records: pl.DataFrame) -> pl.DataFrame:
    """For each row of `records` (doc_id, section, question, answer): its best other answers as
    (row, candidate, tier, similarity), nearest tier first; rows of the same section are never candidates."""
    if records.height < 2:
        return pl.DataFrame(schema=CANDIDATES)
    texts = records.select(pl.concat_str("question", "answer", separator="\n")).to_series().to_list()
    index = bm25s.BM25()
    index.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
    queries = bm25s.tokenize(records["question"].to_list(), stopwords="en", show_progress=False, return_ids=False)
    top = min(TOP, records.height)
    found, scores = index.retrieve([query or [""] for query in queries], k=top, show_progress=False, n_threads=1)
    best = scores.max(axis=1, keepdims=True)
    share = np.divide(scores, best, out=np.zeros_like(scores), where=best > 0)
    scored = pl.DataFrame(
        {
            "row": np.repeat(np.arange(records.height, dtype=np.uint32), top),
            "candidate": found.astype(np.uint32).ravel(),
            "similarity": share.astype(np.float64).ravel().round(4),
        }
    )
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
        .select("row", "candidate", tier.alias("tier"), "similarity")
        .sort(["row", "tier", "similarity", "candidate"], descending=[False, False, True, False])
    )


def topic() -> pl.Expr:
    """The parent heading path of a section: sections under the same heading answer about one topic."""
    return pl.col("section").str.replace(r"(^|\s>\s)[^>]*$", "")
