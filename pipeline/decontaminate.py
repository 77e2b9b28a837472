"""Decontamination: training examples that overlap a benchmark or held-out eval set are rejected.

A model trained on its test questions scores well and learns nothing measurable. An example is
contaminated when it shares a word 13-gram with an eval item (the convention of GPT-3 and Llama
reports), or when its prompt is a near duplicate of an eval item's text (MinHash over word n-grams,
verified by exact Jaccard): short benchmark questions have no 13-gram to share. Eval files are JSONL or
JSON (every string field, `messages` contents included), CSV/TSV (every text cell) or plain text (one
item per non-empty line).
"""

import csv
import json
from pathlib import Path

import polars as pl

from pipeline.config import DedupConfig
from pipeline.errors import InputError
from pipeline.records import Split, prompt_text, reject
from pipeline.similarity.compare import compared_text
from pipeline.similarity.jaccard import verified_edges
from pipeline.similarity.lsh import candidate_pairs
from pipeline.similarity.minhash import signatures
from pipeline.similarity.ngrams import gram_hashes, text_chunks
from pipeline.similarity.normal import normalise

MIN_WORDS = 3


def strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings(item)]
    return []


def read_eval_items(paths: list[str]) -> pl.DataFrame:
    """(item, text) for every text of every eval item (each string field of a record, each cell of a row,
    each line of a text file); `item` names its file and line. Unreadable input is an error."""
    items: list[tuple[str, str]] = []
    for name in paths:
        path = Path(name)
        try:
            raw = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise InputError(f"{path}: no such eval file; --eval takes JSONL, JSON, CSV or text files") from None
        except (OSError, UnicodeDecodeError) as error:
            raise InputError(f"{path}: cannot read the eval file as UTF-8 ({error})") from None
        suffix = path.suffix.lower()
        if suffix == ".jsonl":
            for number, line in enumerate(raw.splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise InputError(f"{path}: line {number}: not JSON ({error.msg})") from None
                items += [(f"{path}:{number}", text) for text in strings(record)]
        elif suffix == ".json":
            try:
                records = json.loads(raw)
            except json.JSONDecodeError as error:
                raise InputError(f"{path}: line {error.lineno}: not JSON ({error.msg})") from None
            for number, record in enumerate(records if isinstance(records, list) else [records], start=1):
                items += [(f"{path}#{number}", text) for text in strings(record)]
        elif suffix in (".csv", ".tsv"):
            rows = csv.reader(raw.splitlines(), delimiter="\t" if suffix == ".tsv" else ",")
            for number, row in enumerate(rows, start=1):
                items += [(f"{path}:{number}", cell) for cell in row]
        else:
            items += [(f"{path}:{n}", line) for n, line in enumerate(raw.splitlines(), start=1) if line.strip()]
    frame = pl.DataFrame(items, schema={"item": pl.String, "text": pl.String}, orient="row")
    return frame.filter(pl.col("text").str.strip_chars() != "")


def contaminated(examples: pl.DataFrame, items: pl.DataFrame, cfg: DedupConfig) -> pl.DataFrame:
    """(id, detail) of the examples overlapping an eval item, each with the first item and how."""
    if examples.height == 0 or items.height == 0:
        return pl.DataFrame(schema={"id": pl.String, "detail": pl.String})
    eval_texts = items.select(id="item", text=normalise(pl.col("text")))
    grams = gram_hashes(eval_texts["text"]).join(eval_texts.select("id").with_row_index("row"), on="row")
    grams = grams.select("gram", item="id")
    matched = [pl.DataFrame(schema={"row": pl.UInt32, "item": pl.String})]
    for offset, texts in text_chunks(examples, compared_text("seen")):  # the eval set is small; examples many
        matched.append(gram_hashes(texts, first_row=offset).join(grams, on="gram").select("row", "item"))
    by_gram = (
        pl.concat(matched)
        .group_by("row")
        .agg(item=pl.col("item").min())
        .join(examples.select("id").with_row_index("row"), on="row")
        .select("id", detail=pl.format("shares a 13-word passage with eval item {}", "item"))
    )
    prompts = examples.select("id", text=normalise(prompt_text().fill_null("")))
    questions = eval_texts.filter(pl.col("text").str.count_matches(r"\w+") >= MIN_WORDS)  # not a lone "answer"
    both = pl.concat([prompts, questions])
    texts = both["text"]
    candidates = candidate_pairs(signatures(texts, cfg.ngram, cfg.num_perm, cfg.seed), cfg.bands, cfg.rows)
    edges = verified_edges(
        candidates.filter((pl.col("a") < prompts.height) & (pl.col("b") >= prompts.height)),
        texts,
        cfg.ngram,
        cfg.threshold,
    )
    near = (
        pl.DataFrame(
            {"id": both["id"].gather(edges["a"]), "item": both["id"].gather(edges["b"]), "j": edges["jaccard"]}
        )
        .group_by("id")
        .agg(pl.all().sort_by("item").first())
        .select(
            "id",
            detail=pl.format("prompt is a near duplicate of eval item {} (Jaccard {})", "item", pl.col("j").round(3)),
        )
        if edges.height
        else pl.DataFrame(schema={"id": pl.String, "detail": pl.String})
    )
    return pl.concat([by_gram, near.join(by_gram, on="id", how="anti")]).sort("id")


def drop_contaminated(examples: pl.DataFrame, items: pl.DataFrame, cfg: DedupConfig) -> Split:
    found = contaminated(examples, items, cfg)
    flagged = examples.join(found, on="id", how="left")
    rejected = reject(flagged.filter(pl.col("detail").is_not_null()), "eval_contamination", pl.col("detail"))
    return Split(flagged.filter(pl.col("detail").is_null()).drop("detail"), rejected.drop("detail"))
