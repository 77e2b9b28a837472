"""Advice that names a setting, worded against the config in force.

Telling a user to set what is already set sends them looking in the wrong place, so every piece of the
report's advice that names a setting is made here from the run block (report.run, which records the
settings it reads) and recommends only a change. A run block without a setting (one made by hand) gets
the advice without a claim about what is set.
"""


def section(run: dict, name: str) -> dict:
    return run.get(name) or {}


def near_duplicate_advice(run: dict) -> str:
    """Near-duplicates of train in a held-out split: stricter dedup, or coarser groups for the split."""
    dedup, split = section(run, "dedup"), section(run, "split")
    if dedup.get("near") is False:
        fixes = ["Turn on dedup.near"]
    elif "threshold" in dedup:
        fixes = [f"Lower dedup.threshold (now {dedup['threshold']:g})"]
    else:
        fixes = ["Lower dedup.threshold"]
    if split.get("group_by") != "document" and not split.get("group_pattern"):
        fixes.append("set split.group_by = 'document'")
    return " or ".join(fixes) + "."


def rephrase_advice(run: dict) -> str:
    """Prompts that follow a few templates: LLM rephrasing or LLM generation, whichever is not on yet."""
    rephrase = section(run, "generate").get("rephrase")
    enabled = section(run, "llm").get("enabled")
    fixes = []
    if rephrase != "llm":
        fixes.append('`generate.rephrase = "llm"` rewrites them with your [llm] endpoint')
    if not enabled:
        fixes.append("`llm.enabled = true` generates questions with it")
    if not fixes:
        return (
            "generate.rephrase = 'llm' and llm.enabled are already set: the LLM usage section counts the prompts "
            "that kept their template question; sources written in other ways vary the rest"
        )
    return "vary question phrasing (" + ", or ".join(fixes) + ")"


def cap_advice(run: dict, examples: int, documents: int) -> str:
    """One source gives most examples: a lower per-document cap helps only when the source is one document
    giving more than one example; otherwise only other sources do."""
    cap = section(run, "generate").get("max_per_document")
    if documents != 1 or examples < 2:
        return "Add other sources."
    now = f" (now {cap})" if cap is not None else ""
    return f"Cap it with generate.max_per_document below {examples}{now}, or add other sources."


def stratify_advice(run: dict) -> str:
    stratify_by = section(run, "split").get("stratify_by")
    if stratify_by in ("task", "task_and_source"):
        return (
            f"split.stratify_by = '{stratify_by}' is already set: the split keeps groups whole, so tasks with few "
            "or large groups cannot be shared out by the ratio; more sources for those tasks help."
        )
    if stratify_by == "none":
        return "Set split.stratify_by = 'task' to hold each task to the ratio."
    return "split.stratify_by = 'task' holds each task to the ratio where its groups allow."


def finer_groups(split: dict) -> str:
    """What would make smaller groups under the grouping in force."""
    if split.get("group_pattern"):
        return "a narrower split.group_pattern makes smaller groups"
    if split.get("group_by") == "document":
        return "split.group_by = 'section' makes smaller groups"
    finer = "more sources, or long sections divided under their own headings, make smaller groups"
    if split.get("group_by") == "section":
        return f"groups are already sections (split.group_by = 'section'): {finer}"
    return finer
