"""Checks across records: one format throughout, duplicates, conflicting answers, one system prompt,
train/validation overlap, and the example-count bounds of the target."""

from collections import Counter

from pipeline.formats import Target
from pipeline.validation.result import Finding

# row: (line, shape, record hash, prompt hash, answer hash, system hash, tokens, prompt tokens, passed record checks)


def cross_record_findings(
    per_file: list[tuple[str, list[tuple]]], target: Target
) -> tuple[list[Finding], list[Finding]]:
    errors, warnings = [], []
    for file, rows in per_file:
        errors += count_bounds(file, len(rows), target)
        errors += mixed_formats(file, rows)
        warnings += duplicates_and_conflicts(file, rows)
        warnings += system_consistency(file, rows)
    if len(per_file) == 2:
        errors += overlap(per_file[0], per_file[1])
    return errors, warnings


def count_bounds(file: str, count: int, target: Target) -> list[Finding]:
    if target.min_examples and count < target.min_examples:
        return [
            Finding(
                0,
                "file.too_few_examples",
                "(file)",
                f"{count} records; {target.name} needs at least {target.min_examples}",
                file,
            )
        ]
    if target.max_examples and count > target.max_examples:
        return [
            Finding(
                0,
                "file.too_many_examples",
                "(file)",
                f"{count} records; {target.name} accepts at most {target.max_examples}",
                file,
            )
        ]
    return []


def mixed_formats(file: str, rows: list[tuple]) -> list[Finding]:
    """Valid lines in another of the target's accepted forms than the file's usual one (trainers load
    a file as one table, so a mix of, say, prompt-completion and messages lines fails there)."""
    valid = [row for row in rows if row[8]]
    shapes = Counter(row[1] for row in valid)
    if len(shapes) < 2:
        return []
    usual, _ = shapes.most_common(1)[0]
    message = "keys {} differ from the file's usual {}"
    return [
        Finding(row[0], "file.mixed_format", "(record)", message.format(list(row[1]), list(usual)), file)
        for row in valid
        if not (set(row[1]) <= set(usual) or set(usual) <= set(row[1]))
    ]


def duplicates_and_conflicts(file: str, rows: list[tuple]) -> list[Finding]:
    found, records, prompts = [], {}, {}
    for line, _, record_hash, prompt_hash, answer_hash, *_ in rows:
        if record_hash is None:
            continue
        if record_hash in records:
            found.append(
                Finding(line, "dataset.duplicate", "(record)", f"same record as line {records[record_hash]}", file)
            )
            continue
        records[record_hash] = line
        if prompt_hash is None:
            continue
        first = prompts.setdefault(prompt_hash, (line, answer_hash))
        if first[1] != answer_hash:
            found.append(
                Finding(
                    line,
                    "dataset.conflict",
                    "(record)",
                    f"same prompt as line {first[0]} with a different answer",
                    file,
                )
            )
    return found


def system_consistency(file: str, rows: list[tuple]) -> list[Finding]:
    """When one system prompt dominates (80% or more), records with another one are probably a mistake."""
    systems = Counter(row[5] for row in rows if row[5] is not None)
    if len(systems) < 2:
        return []
    usual, count = systems.most_common(1)[0]
    if count < 0.8 * len(rows):
        return []
    return [
        Finding(
            row[0],
            "semantic.system_inconsistent",
            "(system)",
            "a different system prompt from the file's usual one",
            file,
        )
        for row in rows
        if row[5] is not None and row[5] != usual
    ]


def overlap(train: tuple[str, list[tuple]], validation: tuple[str, list[tuple]]) -> list[Finding]:
    """The same prompt and answer in both files (OpenAI: 'The same data should not be present in both')."""
    seen = {(row[3], row[4]): row[0] for row in train[1] if row[3] is not None}
    return [
        Finding(
            row[0],
            "dataset.train_validation_overlap",
            "(record)",
            f"also in {train[0]} at line {seen[(row[3], row[4])]}",
            validation[0],
        )
        for row in validation[1]
        if (row[3], row[4]) in seen
    ]


def token_stats(counts: list[int]) -> dict:
    if not counts:
        return {"total": 0, "mean": 0.0, "p50": 0, "p95": 0, "max": 0}
    ordered = sorted(counts)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {
        "total": sum(ordered),
        "mean": round(sum(ordered) / len(ordered), 1),
        "p50": pick(0.5),
        "p95": pick(0.95),
        "max": ordered[-1],
    }
