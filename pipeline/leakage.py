"""Leakage between splits: what validation (or test) shares with train after the split.

A group-aware split should leave none, so any found is listed by id. Two measures, both columnar:
- 13-gram overlap (the GPT-3 / Llama decontamination convention): a held-out example leaks when any
  13 consecutive words of its text also occur in a training example;
- near duplicates: MinHash LSH candidates across the split verified by exact shingle Jaccard, with
  dedup's shingle size, bands and threshold, on prompt and answer together.
Both compare what an example teaches, its prompt and (chosen) answer: a pair's rejected text is often
another example's chosen answer, and a held-out negative that a train pair learns as its answer is no leak.
"""

import polars as pl

from pipeline.config import DedupConfig
from pipeline.partitions import IN_PROCESS, Mapper, Spill
from pipeline.similarity.compare import CompareTexts, compared_text
from pipeline.similarity.jaccard import verified_edges
from pipeline.similarity.lsh import text_candidates
from pipeline.similarity.ngrams import NGRAM, shared_with
from pipeline.similarity.partitioned import COMPARED, candidates_over, grams_of, shared_in_spill, shared_over

LISTED = 20  # ids listed per finding; the counts are complete


def ngram_overlap(train: pl.DataFrame, held: pl.DataFrame, n: int = NGRAM, text: pl.Expr | None = None) -> pl.DataFrame:
    """Held-out ids sharing at least one word n-gram with train, with how many they share; the text is
    `text` of each row (by default the frames' `text` column)."""
    shared = shared_with(held, train, pl.col("text") if text is None else text, n)
    return held.select("id").with_row_index("row").join(shared, on="row").select("id", "shared").sort("id")


def near_duplicates_across(
    train: pl.DataFrame, held: pl.DataFrame, cfg: DedupConfig, mapper: Mapper = IN_PROCESS, tag: str = "near"
) -> pl.DataFrame:
    """(held id, train id, jaccard) pairs at or above the dedup threshold between two frames of examples."""
    empty = pl.DataFrame(schema={"held": pl.String, "train": pl.String, "jaccard": pl.Float64})
    if held.height == 0 or train.height == 0:
        return empty
    compared = ["id", *COMPARED]  # not a copy of every column of every kept example
    both = CompareTexts(pl.concat([held.select(compared), train.select(compared)], how="diagonal_relaxed"), "taught")
    found = text_candidates(both, cfg) if mapper.whole else candidates_over(both.frame, "taught", cfg, mapper, tag)
    candidates = found.filter(
        (pl.col("a") < held.height) & (pl.col("b") >= held.height)  # one held-out example, one training example
    )
    edges = verified_edges(candidates, both, cfg.ngram, cfg.threshold)
    if edges.height == 0:
        return empty
    ids = both.frame["id"]
    pairs = {"held": ids.gather(edges["a"]), "train": ids.gather(edges["b"]), "jaccard": edges["jaccard"]}
    return pl.DataFrame(pairs).sort("held", "train")


def leakage(kept: pl.DataFrame, cfg: DedupConfig, mapper: Mapper = IN_PROCESS, grams: Spill | None = None) -> dict:
    """Per held-out split: n-gram and near-duplicate leakage into train, counts plus the first ids; under a
    mapper of several partitions, the n-grams and band hashes are made on its workers. `grams`: these rows'
    13-grams as the split spilled them, read again when they are the ones asked (`reusable`)."""
    train = kept.filter(pl.col("split") == "train")
    found = {}
    shared_by_row = None
    if grams is not None and reusable(grams, kept):
        shared_by_row = shared_in_spill(grams, kept["split"] != "train", mapper)
    for split in ("validation", "test"):
        held = kept.filter(pl.col("split") == split)
        if held.height == 0 and split == "test":
            continue
        if shared_by_row is not None:
            rows = kept.select("id", "split").with_row_index("row").filter(pl.col("split") == split)
            grams_found = rows.join(shared_by_row, on="row").select("id", "shared").sort("id")
        elif mapper.whole:
            grams_found = ngram_overlap(train, held, text=compared_text("taught"))
        else:
            shared = shared_over(held, train, mapper, f"{split}-ngrams")
            held_rows = held.select("id").with_row_index("row")
            grams_found = held_rows.join(shared, on="row").select("id", "shared").sort("id")
        pairs = near_duplicates_across(train, held, cfg, mapper, f"{split}-near")
        found[split] = {
            "examples": held.height,
            "ngram_overlap": grams_found.height,
            "ngram_overlap_share": round(grams_found.height / held.height, 4) if held.height else 0.0,
            "ngram_overlap_ids": grams_found["id"].head(LISTED).to_list(),
            "near_duplicates": pairs["held"].n_unique() if pairs.height else 0,
            "near_duplicate_pairs": [
                {"held": row[0], "train": row[1], "jaccard": round(row[2], 3)} for row in pairs.head(LISTED).iter_rows()
            ],
        }
    return found


def reusable(grams: Spill, kept: pl.DataFrame) -> bool:
    """The split's 13-grams answer leakage's question when they were made from these rows, in this order, and no
    row has rejected text: its "both" text is then the "taught" text leakage compares, word for word."""
    no_rejected = not kept.select(pl.col("rejected").fill_null("").str.len_bytes().gt(0).any()).item()
    return grams.what == grams_of("both") and no_rejected and grams.holds(kept)
