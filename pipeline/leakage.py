"""Leakage between splits: what validation (or test) shares with train after the split.

A group-aware split should leave none, so any found is listed by id. Two measures, both columnar:
- 13-gram overlap (the GPT-3 / Llama decontamination convention): a held-out example leaks when any
  13 consecutive words of its text also occur in a training example;
- near duplicates: MinHash LSH candidates across the split verified by exact shingle Jaccard, the
  same test the dedup stage uses.
"""

import numpy as np
import polars as pl

from pipeline.config import DedupConfig
from pipeline.dedup import candidate_pairs, compared_text, verified_edges
from pipeline.minhash import signatures

NGRAM = 13
MULTIPLIER = 0x100000001B3  # the FNV-1a 64-bit prime: an odd multiplier mixes well modulo 2**64
LISTED = 20  # ids listed per finding; the counts are complete


def ngram_hashes(texts: pl.DataFrame, n: int = NGRAM) -> pl.DataFrame:
    """(id, gram) for every word n-gram of every text as a 64-bit rolling hash; texts shorter than n words
    give none. Words are hashed by polars, n-grams combined with numpy's wrapping uint64 arithmetic, so
    no n-gram string is ever built."""
    words = texts.select("id", word=pl.col("text").str.to_lowercase().str.extract_all(r"\w+")).explode("word")
    words = words.drop_nulls("word")
    if words.height < n:
        return pl.DataFrame(schema={"id": pl.String, "gram": pl.UInt64})
    hashes = words["word"].hash(NGRAM).to_numpy()
    owner = words["id"].rank("dense").to_numpy()
    span = len(hashes) - n + 1
    gram = np.zeros(span, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(n):
            gram = gram * np.uint64(MULTIPLIER) + hashes[offset : offset + span]
    whole = owner[:span] == owner[n - 1 :]  # the n words belong to one text
    return pl.DataFrame({"id": words["id"][:span].filter(whole), "gram": gram[whole]}).unique()


def ngram_overlap(train: pl.DataFrame, held: pl.DataFrame, n: int = NGRAM) -> pl.DataFrame:
    """Held-out ids sharing at least one word n-gram with train, with how many they share."""
    if train.height == 0 or held.height == 0:
        return pl.DataFrame(schema={"id": pl.String, "shared": pl.UInt32})
    train_grams = ngram_hashes(train, n).select("gram").unique()
    shared = ngram_hashes(held, n).join(train_grams, on="gram", how="semi")
    return shared.group_by("id").agg(shared=pl.len()).sort("id")


def near_duplicates_across(train: pl.DataFrame, held: pl.DataFrame, cfg: DedupConfig) -> pl.DataFrame:
    """(held id, train id, jaccard) pairs at or above the dedup threshold."""
    empty = pl.DataFrame(schema={"held": pl.String, "train": pl.String, "jaccard": pl.Float64})
    if held.height == 0 or train.height == 0:
        return empty
    both = pl.concat([held.select("id", "text"), train.select("id", "text")])
    texts = both["text"].fill_null("")
    candidates = candidate_pairs(signatures(texts, cfg.ngram, cfg.num_perm, cfg.seed), cfg.bands, cfg.rows).filter(
        (pl.col("a") < held.height) & (pl.col("b") >= held.height)  # one held-out example, one training example
    )
    edges = verified_edges(candidates, texts, cfg.ngram, cfg.threshold)
    if edges.height == 0:
        return empty
    ids = both["id"]
    pairs = {"held": ids.gather(edges["a"]), "train": ids.gather(edges["b"]), "jaccard": edges["jaccard"]}
    return pl.DataFrame(pairs).sort("held", "train")


def leakage(kept: pl.DataFrame, cfg: DedupConfig) -> dict:
    """Per held-out split: n-gram and near-duplicate leakage into train, counts plus the first ids."""
    texts = kept.select("id", "split", text=compared_text("both"))
    train = texts.filter(pl.col("split") == "train")
    found = {}
    for split in ("validation", "test"):
        held = texts.filter(pl.col("split") == split)
        if held.height == 0 and split == "test":
            continue
        grams = ngram_overlap(train, held)
        pairs = near_duplicates_across(train, held, cfg)
        found[split] = {
            "examples": held.height,
            "ngram_overlap": grams.height,
            "ngram_overlap_share": round(grams.height / held.height, 4) if held.height else 0.0,
            "ngram_overlap_ids": grams["id"].head(LISTED).to_list(),
            "near_duplicates": pairs["held"].n_unique() if pairs.height else 0,
            "near_duplicate_pairs": [
                {"held": row[0], "train": row[1], "jaccard": round(row[2], 3)} for row in pairs.head(LISTED).iter_rows()
            ],
        }
    return found
