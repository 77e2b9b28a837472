"""The overfitting-risk report: each metric with a level (ok, warn, high) and one sentence of advice.

What a user wants to know before paying for a fine-tuning job is whether validation loss will tell the
truth (leakage), whether the model will learn the task or a handful of phrasings (diversity), whether
there is enough data for the epochs a provider will run (size), whether one source dominates
(concentration), whether validation looks like train (representativeness) and whether the split came
out at its ratios (split). Thresholds are conventions stated next to each metric, not laws; the report
prints the value so users can judge.
"""

import math

import polars as pl

from pipeline.checks.validate.costs import default_epochs
from pipeline.records import answer_text, as_number, prompt_text
from pipeline.report.advice import cap_advice, near_duplicate_advice, rephrase_advice, stratify_advice
from pipeline.report.balance import split_health
from pipeline.report.distinct import distinct_ns

RECOMMENDED_EXAMPLES = 100  # OpenAI: clear gains at 50-100; Bedrock: >=100 per task; Vertex: start with 100
TEMPLATES_LISTED = 10


def metric(group: str, name: str, value: float | int, level: str, advice: str, detail: str = "") -> dict:
    return {"group": group, "metric": name, "value": value, "level": level, "advice": advice, "detail": detail}


def overfitting_risk(kept: pl.DataFrame, leakage: dict, rejected_by_reason: dict, run: dict) -> list[dict]:
    train = kept.filter(pl.col("split") == "train")
    held = kept.filter(pl.col("split") == "validation")
    return [
        *leakage_metrics(leakage, rejected_by_reason, run),
        *diversity_metrics(train, run),
        *size_metrics(train, run),
        *concentration_metrics(train, run),
        representativeness(train, held, run),
        *split_health(kept, run.get("split")),
    ]


def leakage_metrics(leakage: dict, rejected_by_reason: dict, run: dict) -> list[dict]:
    found = []
    for split, numbers in leakage.items():
        near = numbers["near_duplicates"]
        found.append(
            metric(
                "leakage",
                f"{split}_near_duplicates_of_train",
                near,
                "ok" if near == 0 else "high",
                "None found: the split kept near-duplicates on one side."
                if near == 0
                else f"{near} {split} examples nearly repeat training examples; validation loss will look better "
                f"than the model is. {near_duplicate_advice(run)}",
            )
        )
        share = numbers["ngram_overlap_share"]
        found.append(
            metric(
                "leakage",
                f"{split}_13gram_overlap",
                share,
                "ok" if share == 0 else ("warn" if share < 0.05 else "high"),
                "No held-out example shares 13 consecutive words with train."
                if share == 0
                else f"{numbers['ngram_overlap']} {split} examples share 13-word runs with train (stock phrases or "
                "copied passages); check the listed ids.",
            )
        )
    contaminated = rejected_by_reason.get("dedup.eval_contamination", 0)
    checked = bool(run.get("eval_files"))
    found.append(
        metric(
            "leakage",
            "eval_contamination_removed",
            contaminated,
            "ok" if checked else "warn",
            f"{contaminated} examples overlapping the eval set were rejected; none remain."
            if checked
            else "No eval set was given: pass --eval with your benchmark or held-out questions to check.",
        )
    )
    return found


def masked_prompt() -> pl.Expr:
    """A prompt with its particulars masked (numbers, quoted text, capitalised names after the first word),
    leaving the template a generator or annotator used."""
    return (
        prompt_text()
        .fill_null("")
        .str.replace_all(r"\d+(?:[.,]\d+)*", "#")
        .str.replace_all(r"\"[^\"]*\"|'[^']*'|«[^»]*»", "Q")
        .str.replace_all(r"(\S\s+)[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*", "${1}X")
        .str.to_lowercase()
        .str.strip_chars()
    )


def diversity_metrics(train: pl.DataFrame, run: dict) -> list[dict]:
    if train.height == 0:
        return []
    texts = train.select(
        prompt=prompt_text().fill_null(""), answer=answer_text().fill_null(""), template=masked_prompt()
    )
    found = []
    for column in ("prompt", "answer"):
        values = distinct_ns(texts[column], (1, 2))
        for n, value in values.items():
            low, very_low = (0.15, 0.07) if n == 1 else (0.35, 0.15)  # per 5,000 n-grams
            level = "ok" if value >= low else ("warn" if value >= very_low else "high")
            found.append(
                metric(
                    "diversity",
                    f"distinct_{n}_{column}s",
                    value,
                    level,
                    f"{column.capitalize()}s use a varied vocabulary."
                    if level == "ok"
                    else f"{column.capitalize()}s repeat the same {'words' if n == 1 else 'phrases'}; the model may "
                    "learn the phrasing rather than the task. Add sources or paraphrases.",
                )
            )
    templates = texts.group_by("template").len().sort("len", "template", descending=[True, False])
    top = templates.head(TEMPLATES_LISTED)
    share = round(float(top["len"].sum()) / train.height, 4)
    level = "ok" if share < 0.5 else ("warn" if share < 0.8 else "high")
    found.append(
        metric(
            "diversity",
            "top_10_prompt_templates_share",
            share,
            level,
            "Prompts are not dominated by a few templates."
            if level == "ok"
            else f"{share:.0%} of prompts follow ten templates, so the model may overfit to them; "
            f"{rephrase_advice(run)}.",
            detail="; ".join(f"{count}x {template[:80]}" for template, count in top.head(3).iter_rows()),
        )
    )
    reuse = texts.group_by("answer").agg(prompts=pl.col("prompt").n_unique(), n=pl.len())
    reused = int(reuse.filter(pl.col("prompts") >= 3)["n"].sum())
    share = round(reused / train.height, 4)
    level = "ok" if share < 0.05 else ("warn" if share < 0.2 else "high")
    found.append(
        metric(
            "diversity",
            "answers_reused_across_prompts_share",
            share,
            level,
            "Few answers are reused across prompts."
            if level == "ok"
            else f"{share:.0%} of examples share their answer with 3 or more different prompts; the model will "
            "memorise those answers. Keep one or two prompts per answer.",
            detail=f"most reused answer: {int(as_number(reuse['prompts'].max() or 0))} prompts",
        )
    )
    return found


def size_metrics(train: pl.DataFrame, run: dict) -> list[dict]:
    examples = train.height
    minimum = run.get("min_examples") or 1
    level = "high" if examples < minimum else ("warn" if examples < RECOMMENDED_EXAMPLES else "ok")
    epochs = default_epochs(examples)
    tokens = int(train["n_tokens"].sum()) if "n_tokens" in train.columns and examples else 0
    found = [
        metric(
            "size",
            "training_examples",
            examples,
            level,
            f"{examples} examples meet the recommended {RECOMMENDED_EXAMPLES}."
            if level == "ok"
            else f"{examples} examples; {run.get('target', 'the target')} needs {minimum} and providers recommend "
            f"at least {RECOMMENDED_EXAMPLES}. Add sources before training.",
        ),
        metric(
            "size",
            "training_tokens",
            tokens,
            "ok" if tokens >= 100_000 else "warn",
            "Enough tokens for a LoRA or full fine-tune to learn the domain."
            if tokens >= 100_000
            else "Under 100k training tokens: expect style and format to be learnt more than knowledge.",
        ),
    ]
    level = "high" if epochs >= 10 else ("warn" if epochs > 3 else "ok")
    found.append(
        metric(
            "size",
            "default_epochs",
            epochs,
            level,
            f"OpenAI's default would run {epochs} epochs: a normal amount."
            if level == "ok"
            else f"OpenAI's default would run {epochs} epochs over so few examples; each is seen {epochs} times and "
            "is likely to be memorised. Add data or set n_epochs to 2-3.",
        )
    )
    return found


def gini(counts: list[int]) -> float:
    """0 when every source gives as many examples, towards 1 when one gives nearly all."""
    if len(counts) < 2 or sum(counts) == 0:
        return 0.0
    ordered = sorted(counts)
    n, total = len(ordered), sum(ordered)
    weighted = sum((index + 1) * count for index, count in enumerate(ordered))
    return round((2 * weighted) / (n * total) - (n + 1) / n, 4)


def concentration_metrics(train: pl.DataFrame, run: dict) -> list[dict]:
    if train.height == 0:
        return []
    sources = (
        train.group_by(file=pl.col("source").str.replace(r"[:#]\d+$", ""))
        .agg(len=pl.len(), documents=pl.col("doc_id").n_unique())
        .sort("len", "file", descending=[True, False])
    )
    top_share = round(int(sources["len"][0]) / train.height, 4)
    level = "ok" if top_share < 0.3 else ("warn" if top_share < 0.6 or sources.height == 1 else "high")
    value = gini(sources["len"].to_list())
    return [
        metric(
            "concentration",
            "top_source_share",
            top_share,
            level,
            "No single source dominates."
            if level == "ok"
            else f"{top_share:.0%} of training examples come from {sources['file'][0]}; the model will lean towards "
            f"its content and style. {cap_advice(run, int(sources['len'][0]), int(sources['documents'][0]))}",
            detail=str(sources["file"][0]),
        ),
        metric(
            "concentration",
            "source_gini",
            value,
            "ok" if value < 0.6 else ("warn" if value < 0.8 else "high"),
            "Examples are spread over the sources."
            if value < 0.6
            else "A few sources give most examples (Gini over sources); check the by-source table.",
            detail=f"{sources.height} sources",
        ),
    ]


def jensen_shannon(left: dict[str, int], right: dict[str, int]) -> float:
    """Jensen-Shannon divergence (base 2, 0..1) between two count distributions."""
    keys = set(left) | set(right)
    total_left, total_right = sum(left.values()), sum(right.values())
    if not total_left or not total_right:
        return 0.0
    p = {key: left.get(key, 0) / total_left for key in keys}
    q = {key: right.get(key, 0) / total_right for key in keys}
    m = {key: (p[key] + q[key]) / 2 for key in keys}

    def kl(a: dict[str, float]) -> float:
        return sum(a[key] * math.log2(a[key] / m[key]) for key in keys if a[key] > 0)

    return round((kl(p) + kl(q)) / 2, 4)


def representativeness(train: pl.DataFrame, held: pl.DataFrame, run: dict) -> dict:
    """Task mix of validation against train."""
    if held.height == 0:
        return metric(
            "representativeness",
            "task_mix_divergence",
            0.0,
            "high",
            "The validation split is empty: nothing will tell you when the model starts to overfit.",
        )
    value = jensen_shannon(
        dict(train.group_by("task").len().iter_rows()), dict(held.group_by("task").len().iter_rows())
    )
    level = "ok" if value < 0.05 else ("warn" if value < 0.2 else "high")
    return metric(
        "representativeness",
        "task_mix_divergence",
        value,
        level,
        "Validation has the task mix of train."
        if level == "ok"
        else "Validation's task mix differs from train's (Jensen-Shannon divergence); its loss measures another "
        f"mix of tasks. {stratify_advice(run)}",
    )
