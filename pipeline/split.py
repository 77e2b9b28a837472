"""Group-aware, stratified, seeded train/validation/test split.

Paraphrases of one passage on both sides of a split make validation loss lie, so whole groups go to
one side. A group is a source section by default (or a document, or a key taken from the source path
by a pattern), widened to everything that must not be separated: members of one near-duplicate
cluster, examples asking the very same prompt (of five words or more), and examples sharing a 13-word
passage (the leakage test of pipeline/leakage.py). Groups are shuffled by a seeded hash of their key,
then, stratum by stratum (a group's majority task, optionally with its source), taken into validation
while that brings the stratum's validation count closer to its target share; the test split is taken
the same way from what is left. The greedy rule ends within one group of the target in each stratum.
"""

import hashlib

import numpy as np
import polars as pl

from pipeline.config import SplitConfig
from pipeline.partitions import IN_PROCESS, Mapper, Spill
from pipeline.records import as_number, prompt_text
from pipeline.similarity.compare import compared_text
from pipeline.similarity.ngrams import GRAMS, gram_hashes, gram_store, text_chunks
from pipeline.similarity.partitioned import passages_over

SPLIT_NAMES = ("train", "validation", "test")
# Identical prompts join one group only when they say something: "Continue." across a corpus would
# otherwise fuse unrelated groups into one that no split can balance.
MIN_PROMPT_WORDS = 5
MAX_GRAM_GROUPS = 10


def group_key(group_by: str, pattern: str | None = None) -> pl.Expr:
    """Imported records have no section: each record (`file:LINE`) is its own group."""
    unit = pl.coalesce(pl.col("section"), pl.col("source"))
    if group_by == "document":
        key = pl.when(pl.col("section").is_null()).then(unit).otherwise(pl.col("doc_id"))
    else:
        key = pl.concat_str(pl.col("doc_id"), unit, separator="\x00")
    if pattern is None:
        return key
    found = pl.col("source").str.extract(pattern, 1 if "(" in pattern else 0)
    return pl.coalesce(pl.concat_str(pl.lit("pattern\x00"), found), key)


def split_by_group(
    examples: pl.DataFrame, cfg: SplitConfig, mapper: Mapper = IN_PROCESS, grams: Spill | None = None
) -> pl.DataFrame:
    """Add `split` ("train", "validation" or "test") and `group`; a group never straddles the split. Under a
    mapper of several partitions, `grams` may hold the examples' 13-grams already spilled (`spill_texts`)."""
    groups_of = joined_groups(examples, group_key(cfg.group_by, cfg.group_pattern), mapper, grams)
    keyed = examples.with_columns(group=groups_of)
    stratum = pl.col("task").mode().sort().first()
    if cfg.stratify_by == "task_and_source":
        stratum = pl.concat_str(
            stratum, pl.col("source").str.replace(r"[:#]\d+$", "").mode().sort().first(), separator="|"
        )
    elif cfg.stratify_by == "none":
        stratum = pl.lit("all")
    groups = keyed.group_by("group").agg(n=pl.len(), stratum=stratum)
    order = pl.Series("order", [shuffle_key(key, cfg.seed) for key in groups["group"]], dtype=pl.String)
    groups = groups.with_columns(order).sort("stratum", "order")
    validation, test = set(), set()
    for part in groups.partition_by("stratum", maintain_order=True):
        names, sizes = part["group"].to_list(), part["n"].to_list()
        validation |= pick_validation(names, sizes, cfg.validation_ratio)
        rest = [(name, size) for name, size in zip(names, sizes, strict=True) if name not in validation]
        if rest and cfg.test_ratio > 0:
            target = cfg.test_ratio * sum(sizes)
            test |= pick_towards([name for name, _ in rest], [size for _, size in rest], target)
    validation |= top_up(groups, validation, test, cfg.min_validation, cfg.validation_ratio)
    return keyed.with_columns(
        split=pl.when(pl.col("group").is_in(sorted(validation)))
        .then(pl.lit("validation"))
        .when(pl.col("group").is_in(sorted(test)))
        .then(pl.lit("test"))
        .otherwise(pl.lit("train"))
    )


def joined_groups(
    examples: pl.DataFrame, key: pl.Expr, mapper: Mapper = IN_PROCESS, grams: Spill | None = None
) -> pl.Series:
    """Group keys merged (connected components) across what would leak if split: two examples that share
    a base group, a near-duplicate cluster, a prompt, or a 13-word passage end up in one group. A
    passage found in more than MAX_GRAM_GROUPS groups is boilerplate (a footer, a legal line) and links
    nothing; the leakage report still counts it. Every node is an integer, and passages are found one
    hash partition at a time (pipeline.similarity.ngrams), so memory stays bounded at a million examples;
    under a mapper of several partitions, on its workers (pipeline.similarity.partitioned)."""
    links = examples.select(
        base=key,
        cluster=pl.col("cluster_id") if "cluster_id" in examples.columns else pl.lit(None, pl.String),
        prompt=prompt_text().str.strip_chars().str.to_lowercase(),
    )
    count = examples.height
    base = links["base"].rank("dense").cast(pl.UInt32) - 1
    prompt_linked = pl.col("prompt").str.count_matches(r"\w+") >= MIN_PROMPT_WORDS
    edges = [  # (row, node) pairs; each kind of node is numbered from 0 on its own
        pl.DataFrame({"row": pl.int_range(count, dtype=pl.UInt32, eager=True), "node": base}),
        node_ids(links.with_row_index("row").filter(pl.col("cluster").is_not_null()), "cluster"),
        node_ids(links.with_row_index("row").filter(prompt_linked), "prompt"),
        shared_passages(examples, base)
        if mapper.whole
        else node_ids(passages_over(examples, base, mapper, MAX_GRAM_GROUPS, grams), "gram"),
    ]
    offset, rows, nodes = count, [], []
    for kind in edges:
        rows.append(kind["row"].to_numpy().astype(np.int64))
        nodes.append(kind["node"].to_numpy().astype(np.int64) + offset)
        offset += int(as_number(kind["node"].max() or 0)) + 1 if kind.height else 0
    from scipy.sparse import coo_matrix  # here: shard workers import this module (the report's SPLIT_NAMES)
    from scipy.sparse.csgraph import connected_components

    row, node = np.concatenate(rows), np.concatenate(nodes)
    graph = coo_matrix((np.ones(len(row)), (row, node)), shape=(offset, offset))
    _, labels = connected_components(graph, directed=False)
    # Name each component by its smallest base key, so keys stay readable and stable across runs.
    names = pl.DataFrame({"label": labels[:count], "base": links["base"]})
    return names.select(pl.col("base").min().over("label")).to_series().alias("group")


def node_ids(rows: pl.DataFrame, column: str) -> pl.DataFrame:
    """(row, node): rows with equal values of `column` share a node."""
    return rows.select("row", node=pl.col(column).rank("dense").cast(pl.UInt32) - 1)


def shared_passages(examples: pl.DataFrame, base: pl.Series) -> pl.DataFrame:
    """(row, node) linking the rows that share a 13-word passage found in 2 to MAX_GRAM_GROUPS base groups."""
    linked = [pl.DataFrame(schema={"row": pl.UInt32, "gram": pl.UInt64})]
    with gram_store(examples.height) as store:
        for offset, texts in text_chunks(examples, compared_text("both")):
            store.add(gram_hashes(texts, first_row=offset))
        for part in store.parts(GRAMS):
            grouped = part.with_columns(base=base.gather(part["row"]))
            linked.append(
                grouped.filter(pl.col("base").n_unique().over("gram").is_between(2, MAX_GRAM_GROUPS)).select(
                    "row", "gram"
                )
            )
    return node_ids(pl.concat(linked), "gram")


def shuffle_key(key: str, seed: int) -> str:
    return hashlib.sha256(f"{seed}\x00{key}".encode()).hexdigest()


def pick_validation(groups: list[str], sizes: list[int], ratio: float) -> set[str]:
    """Greedy over shuffled groups towards ratio x total (at least one example when there are two groups)."""
    target = ratio * sum(sizes)
    if ratio > 0 and len(groups) > 1:
        target = max(target, 1)
    return pick_towards(groups, sizes, target)


def pick_towards(groups: list[str], sizes: list[int], target: float) -> set[str]:
    """Take a group when it moves the count closer to the target: the result ends within one group of it."""
    taken, count = set(), 0
    for group, size in zip(groups, sizes, strict=True):
        if abs(count + size - target) < abs(count - target):
            taken.add(group)
            count += size
    return taken


def top_up(groups: pl.DataFrame, validation: set[str], test: set[str], minimum: int, ratio: float) -> set[str]:
    """More whole groups for validation, smallest first, until it holds `minimum` examples; a training
    group always remains."""
    if ratio == 0 or minimum == 0 or groups.height < 2:
        return set()
    have = int(groups.filter(pl.col("group").is_in(sorted(validation)))["n"].sum())
    free = groups.filter(~pl.col("group").is_in(sorted(validation | test))).sort("n", "order")
    extra: set[str] = set()
    for name, size in free.select("group", "n").iter_rows():
        if have >= minimum or len(extra) + 1 >= free.height:
            break
        extra.add(name)
        have += size
    return extra
