"""report.json: the run's accounting and statistics, computed only from the outputs.

The ledger, per-stage funnel and per-source counts are all derived from the kept and rejected frames,
so the report cannot drift from what was written (report.ledger holds the accounting); `check_ledger`
fails the run loudly if records were lost or counted twice. report.md and report.html are renderings of
this one dictionary.
"""

from concurrent.futures import ThreadPoolExecutor

import polars as pl

from pipeline.conflicts import resolve_conflicts
from pipeline.records import SECTION, as_number, empty
from pipeline.report.balance import split_warnings
from pipeline.report.ledger import check_ledger, funnel, reason_counts
from pipeline.report.ledger import ledger as count_ledger
from pipeline.report.length_bias import length_bias
from pipeline.report.quality import (
    coverage,
    duplicate_clusters,
    findings,
    language_mix,
    outliers,
    reject_examples,
    reliability,
    sensitive_findings,
    token_histograms,
)
from pipeline.report.risk import overfitting_risk
from pipeline.split import SPLIT_NAMES


def build_report(
    documents: pl.DataFrame,
    kept: pl.DataFrame,
    rejected: pl.DataFrame,
    run: dict,
    llm_usage: dict | None = None,
    sections: pl.DataFrame | None = None,
    leakage: dict | None = None,
    languages: dict[str, int] | None = None,
) -> dict:
    """`documents` are the ingested documents, `kept` the split examples, `rejected` every reject,
    `leakage` what pipeline.leakage measured across the split, `languages` the language mix of `kept` when the
    languages stage has counted it (else it is counted here)."""
    rejected_examples = rejected.filter(pl.col("kind") != "document")
    ledger = count_ledger(documents, kept, rejected)
    check_ledger(ledger)
    reasons = reason_counts(rejected)
    leakage = leakage or {}
    # polars computes without the GIL: the two costliest statistics (the conflicts' groups, the overfitting risk's
    # diversity) are made on a thread while this one makes the rest; the report is the same dictionary.
    with ThreadPoolExecutor(max_workers=1) as beside:
        found_conflicts = beside.submit(conflicts, kept, reasons)
        risk = beside.submit(overfitting_risk, kept, leakage, reasons, run)
        return {
            "run": run,
            "ledger": ledger,
            "rejected_by_reason": reasons,
            "funnel": funnel(rejected, ledger["examples"]["generated"]),
            "by_source": by_source(kept, rejected),
            "by_task": by_task(kept),
            "tokens": {split: token_stats(kept.filter(pl.col("split") == split)) for split in SPLIT_NAMES},
            "dedup": dedup_stats(kept, rejected_examples),
            "llm": llm_usage,
            "preference": preference_stats(kept),
            "coverage": coverage(documents, sections if sections is not None else empty(SECTION), kept, rejected),
            "token_histograms": token_histograms(kept),
            "outliers": outliers(kept),
            "language_mix": language_mix(kept) if languages is None else languages,
            "findings": findings(rejected),
            "sensitive": sensitive_findings(kept, rejected),
            "reliability": reliability(rejected),
            "duplicate_clusters": duplicate_clusters(rejected),
            "conflicts": found_conflicts.result(),
            "reject_examples": reject_examples(rejected),
            "leakage": leakage,
            "risk": risk.result(),
            "warnings": warnings(ledger, {**run, "preference_stats": preference_stats(kept)}, kept),
        }


def source_file(column: str = "source") -> pl.Expr:
    """Records are named `file:LINE` (JSONL) or `file#N`; per-source counts are per file."""
    return pl.col(column).str.replace(r"[:#]\d+$", "")


def by_source(kept: pl.DataFrame, rejected: pl.DataFrame) -> list[dict]:
    examples = rejected.filter(pl.col("kind") != "document")
    frames = [
        kept.select(file=source_file(), column=pl.col("split")),
        examples.select(file=source_file(), column=pl.lit("rejected")),
        rejected.filter(pl.col("kind") == "document").select(file=source_file(), column=pl.lit("documents_rejected")),
    ]
    table = pl.concat(frames).group_by("file", "column").len().pivot(on="column", index="file", values="len")
    columns = (*SPLIT_NAMES, "rejected", "documents_rejected")
    for column in columns:
        if column not in table.columns:
            table = table.with_columns(pl.lit(0, pl.UInt32).alias(column))
    table = table.fill_null(0).select("file", *columns).sort("file")
    return [{"source": row[0], **dict(zip(columns, row[1:], strict=True))} for row in table.iter_rows()]


def by_task(kept: pl.DataFrame) -> dict[str, dict[str, int]]:
    table = kept.group_by("task", "split").len().sort("task", "split")
    result: dict[str, dict[str, int]] = {}
    for task, split, count in table.iter_rows():
        result.setdefault(task, dict.fromkeys(SPLIT_NAMES, 0))[split] = count
    return result


def token_stats(rows: pl.DataFrame) -> dict:
    if rows.height == 0:
        return {"examples": 0, "total": 0, "mean": 0.0, "p50": 0, "p95": 0, "max": 0, "completion_total": 0}
    tokens = rows["n_tokens"]
    return {
        "examples": rows.height,
        "total": int(tokens.sum()),
        "mean": round(float(as_number(tokens.mean())), 1),
        "p50": int(as_number(tokens.quantile(0.5, "nearest"))),
        "p95": int(as_number(tokens.quantile(0.95, "nearest"))),
        "max": int(as_number(tokens.max())),
        "completion_total": int(rows["n_completion_tokens"].sum()),
    }


def dedup_stats(kept: pl.DataFrame, rejected_examples: pl.DataFrame) -> dict:
    dedup = rejected_examples.filter(pl.col("reject_stage") == "dedup")
    near = dedup.filter(pl.col("reject_reason") == "near_duplicate")
    return {
        "exact_removed": dedup.height - near.height,
        "near_removed": near.height,
        "clusters": kept.filter(pl.col("cluster_id").is_in(near["cluster_id"].implode())).height
        if "cluster_id" in near.columns
        else 0,
    }


def conflicts(kept: pl.DataFrame, reasons: dict[str, int]) -> dict:
    """Same prompt, different answers: groups still in the dataset, and how many were rejected as such."""
    _, found = resolve_conflicts(kept, "report")
    return {
        "groups": found["groups"],
        "examples": found["examples"],
        "rejected": reasons.get("dedup.conflict", 0),
        "listed": found["listed"],
    }


def preference_stats(kept: pl.DataFrame) -> dict | None:
    """Pairs kept, how their negatives were made, and length bias: DPO learns "longer is better" when chosen
    answers are systematically longer than rejected ones."""
    pairs = kept.filter(pl.col("kind") == "preference")
    if pairs.height == 0:
        return None
    longer = pairs.select((pl.col("chosen").str.len_chars() > pl.col("rejected").str.len_chars()).mean()).item()
    mix = pairs.group_by(pl.col("negative").fill_null("unknown")).len().sort("negative")
    stats = {
        "pairs": pairs.height,
        "chosen_longer_share": round(float(longer), 3),
        "by_negative": dict(mix.iter_rows()),
    }
    if "negative_similarity" in pairs.columns and pairs["negative_similarity"].is_not_null().any():
        stats["median_negative_similarity"] = round(as_number(pairs["negative_similarity"].median()), 3)
    return stats


def warnings(ledger: dict, run: dict, kept: pl.DataFrame) -> list[str]:
    """Conditions a user should read before training: too little data, length bias, a split off its settings."""
    found = []
    train = ledger["examples"]["train"]
    minimum = run.get("min_examples")
    if minimum and train < minimum:
        found.append(f"only {train} training examples; {run['target']} needs at least {minimum}")
    preference = run.get("preference_stats")
    bias = length_bias(preference["chosen_longer_share"]) if preference else None
    if preference and bias:
        found.append(f"{preference['chosen_longer_share']:.0%} of pairs have the longer answer chosen: {bias}")
    found += split_warnings(kept, run.get("split"))
    return found
