"""Secrets and personal data in examples: found with polars, then reported, redacted or rejected by kind.

`scan` runs every detector of detectors.py over all texts of a frame at once (the system
prompt, each message's content, `chosen`, `rejected`): one `extract_all` per detector over one column
of texts, the detector's Python check on the distinct candidates only, and one `replace_many` of the
values found before the next detector looks. Redaction replays those literal replacements on the
frame's own columns, so the texts kept are exactly the texts that were scanned, minus the values.
"""

import logging
from typing import NamedTuple

import polars as pl

from pipeline.config import SensitiveConfig
from pipeline.records import reject
from pipeline.sensitive.detectors import DETECTORS, Detector

log = logging.getLogger("pipeline.sensitive")  # the package's logger: the name its log lines have always had

TEXT_COLUMNS = ("system", "messages", "chosen", "rejected")
FINDINGS = pl.Schema({"id": pl.String, "kind": pl.String, "type": pl.String, "count": pl.Int64})
ACTIONS = {"report": "reported", "redact": "redacted", "reject": "rejected"}
MAX_ROUNDS = 8  # a round only repeats for texts the previous one changed; real text settles in two


class Step(NamedTuple):
    """One detector's values, longest first, as `replace_many` must see them to replace a whole value."""

    detector: Detector
    values: list[str]


class Scan(NamedTuple):
    findings: pl.DataFrame  # FINDINGS: one row per example and finding type
    steps: list[Step]  # the replacements that redact every finding, in detector order


class Screened(NamedTuple):
    """What `apply_sensitive` returns: the quality stage's Split plus what was found and done about it."""

    kept: pl.DataFrame
    rejected: pl.DataFrame
    findings: pl.DataFrame  # FINDINGS plus `action`: reported, redacted or rejected


def texts(frame: pl.DataFrame, columns: tuple[str, ...] | list[str]) -> pl.DataFrame:
    """Every text of `columns` as one (id, text) frame; a list-of-messages column gives each turn's content."""
    parts = []
    for column in columns:
        if isinstance(frame.schema[column], pl.List):
            content = pl.col(column).list.eval(pl.element().struct.field("content"))
            parts.append(frame.select("id", text=content).explode("text"))
        else:
            parts.append(frame.select("id", text=pl.col(column)))
    if not parts:
        return pl.DataFrame(schema={"id": pl.String, "text": pl.String})
    return pl.concat(parts).filter(pl.col("text").is_not_null())


def checked(detector: Detector, candidates: list[str]) -> dict[str, list[str]]:
    """The detector's Python check on each distinct candidate: the few rows polars cannot settle alone."""
    return {candidate: values for candidate in candidates if (values := detector.check(candidate))}


def scan_steps(frame: pl.DataFrame, columns: tuple[str, ...] | list[str], detectors: list[Detector]) -> Scan:
    """Every detector over every text, in order, each one's values replaced before the next looks.

    A replacement can expose a new match (a key glued to the end of a fixed-length Google key gains a word
    boundary once that key is `[API_KEY]`), so the texts a round changed are scanned again, until a round
    finds nothing. Redacted text then holds no finding at all, and redacting it again changes nothing.
    """
    long, found, steps = texts(frame, columns).with_columns(pending=pl.lit(True)), [], []
    for _ in range(MAX_ROUNDS):
        before = long["text"]
        start = 0  # the first detector whose candidates are not yet known on the current texts
        while start < len(detectors):
            batch = detectors[start:]
            start = len(detectors)
            for offset, (detector, candidates) in enumerate(zip(batch, candidates_of(long, batch), strict=True)):
                hits = checked(detector, candidates["candidate"].unique().sort().to_list()) if candidates.height else {}
                if not hits:
                    continue
                counts = {candidate: len(values) for candidate, values in hits.items()}
                found.append(
                    candidates.filter(pl.col("candidate").is_in(list(hits)))
                    .group_by("id")
                    .agg(count=pl.col("candidate").replace_strict(counts, return_dtype=pl.Int64).sum())
                    .select("id", kind=pl.lit(detector.kind), type=pl.lit(detector.type), count="count")
                )
                values = {value for values in hits.values() for value in values}
                step = Step(detector, sorted(values, key=lambda value: (-len(value), value)))
                steps.append(step)
                long = long.with_columns(text=rewrite(pl.col("text"), [step]))
                start = len(detectors) - len(batch) + offset + 1  # the later detectors look at the new texts
                break
        long = long.with_columns(pending=pl.col("text") != before)
        if not long["pending"].any():
            break
    findings = pl.concat(found) if found else pl.DataFrame(schema=FINDINGS)
    # Two detectors (IPv4, IPv6) share a type; one row per example and type.
    findings = findings.group_by("id", "kind", "type").agg(pl.col("count").sum()).sort("id", "kind", "type")
    return Scan(findings.cast(FINDINGS), steps)


def candidates_of(long: pl.DataFrame, detectors: list[Detector]) -> list[pl.DataFrame]:
    """(id, candidate) of each detector over the pending texts its gate lets through, all in one parallel
    collect: most detectors find nothing, so one query over the texts replaces a few small ones per detector."""
    pending = long.filter(pl.col("pending"))
    # A hinted detector's gate is one of its hints: texts holding no hint of any detector (nearly all) are set
    # aside by one scan for every hint at once, so each hinted gate only reads the few texts that hold one.
    hints = sorted({hint for detector in detectors for hint in detector.hints})
    hinted = pending.filter(pl.col("text").str.contains_any(hints, ascii_case_insensitive=True)) if hints else pending
    queries = [
        (hinted if detector.hints else pending)
        .lazy()
        .filter(gate(detector))
        .select("id", candidate=pl.col("text").str.extract_all(detector.pattern))
        .explode("candidate")
        .drop_nulls("candidate")
        for detector in detectors
    ]
    return pl.collect_all(queries)


def scan(
    frame: pl.DataFrame, text_columns: tuple[str, ...] | list[str] = TEXT_COLUMNS, detectors: list[Detector] = DETECTORS
) -> pl.DataFrame:
    """FINDINGS of `frame`: how many of each finding type each example (by `id`) holds."""
    return scan_steps(frame, present(frame, text_columns), detectors).findings


def gate(detector: Detector) -> pl.Expr:
    """Texts worth the detector's full pattern: one of its hints (any case), or a match of its cheap gate."""
    if detector.hints:
        return pl.col("text").str.contains_any(list(detector.hints), ascii_case_insensitive=True)
    return pl.col("text").str.contains(detector.gate) if detector.gate else pl.lit(True)


def rewrite(text: pl.Expr, steps: list[Step]) -> pl.Expr:
    for step in steps:
        replacements = dict.fromkeys(step.values, step.detector.placeholder)
        text = text.str.replace_many(replacements, leftmost=True)  # leftmost-first: the longest value wins
    return text


def rewritten(frame: pl.DataFrame, steps: list[Step], columns: tuple[str, ...] | list[str]) -> pl.DataFrame:
    if not steps:
        return frame
    updates = []
    for column in columns:
        if isinstance(frame.schema[column], pl.List):
            turn = pl.element().struct.with_fields(rewrite(pl.field("content"), steps))
            updates.append(pl.col(column).list.eval(turn))
        else:
            updates.append(rewrite(pl.col(column), steps))
    return frame.with_columns(updates)


def redact(
    frame: pl.DataFrame,
    kinds: set[str] | frozenset[str] = frozenset({"secret", "personal_data"}),
    text_columns: tuple[str, ...] | list[str] = TEXT_COLUMNS,
    detectors: list[Detector] = DETECTORS,
) -> pl.DataFrame:
    """`frame` with every finding of `kinds` replaced by its placeholder ([EMAIL], [API_KEY], ...)."""
    columns = present(frame, text_columns)
    return rewritten(frame, scan_steps(frame, columns, [d for d in detectors if d.kind in kinds]).steps, columns)


def present(frame: pl.DataFrame, columns: tuple[str, ...] | list[str]) -> list[str]:
    return [column for column in columns if column in frame.columns]


def apply_sensitive(examples: pl.DataFrame, cfg: SensitiveConfig) -> Screened:
    """Count, redact or reject secrets and personal data as `cfg` says for each kind.

    A kind set to redact *or* reject is redacted everywhere, so a rejected example carries no value into
    rejects.jsonl either; its detail names the finding types and counts, never a value.
    """
    modes = {"secret": cfg.secrets, "personal_data": cfg.personal_data}
    detectors = [detector for detector in DETECTORS if detector.type not in cfg.allow]
    columns = present(examples, TEXT_COLUMNS)
    found = scan_steps(examples, columns, detectors)
    redacting = [detector for detector in detectors if modes[detector.kind] != "report"]
    # When one kind is only reported, its replacements must not shape what the other kind's scan sees; unless
    # that kind found nothing: then its detectors changed no text, and a scan without them takes the same steps.
    if redacting == detectors or not redacting or all(step.detector in redacting for step in found.steps):
        steps = found.steps if redacting else []
    else:
        steps = scan_steps(examples, columns, redacting).steps
    screened = rewritten(examples, steps, columns)

    rejecting = [kind for kind, mode in modes.items() if mode == "reject"]
    verdicts = rejections(found.findings.filter(pl.col("kind").is_in(rejecting)))
    flagged = screened.join(verdicts, on="id", how="left", maintain_order="left")
    bad = flagged.filter(pl.col("_reason").is_not_null())
    rejected = reject(bad, pl.col("_reason"), pl.col("_detail")).drop("_reason", "_detail")
    kept = flagged.filter(pl.col("_reason").is_null()).drop("_reason", "_detail")

    action = pl.col("kind").replace_strict({kind: ACTIONS[mode] for kind, mode in modes.items()})
    findings = found.findings.with_columns(
        action=pl.when(pl.col("id").is_in(verdicts["id"].implode())).then(pl.lit("rejected")).otherwise(action)
    )
    if findings.height:
        log.info("sensitive data: %s", summary(findings).to_dicts())
    return Screened(kept, rejected, findings)


def rejections(findings: pl.DataFrame) -> pl.DataFrame:
    """(id, _reason, _detail) for examples with findings of a rejected kind; a secret outranks personal data."""
    named = findings.sort("kind", "type").with_columns(
        item=pl.format("{} ({})", "type", "count"), setting=pl.col("kind").replace({"secret": "secrets"})
    )
    return named.group_by("id").agg(
        _reason=pl.when((pl.col("kind") == "secret").any()).then(pl.lit("secret")).otherwise(pl.lit("personal_data")),
        _detail=pl.format(
            "contains {}; set sensitive.{} to 'redact' to keep such examples without the values",
            pl.col("item").str.join(", "),
            pl.col("setting").unique().sort().str.join(" and sensitive."),
        ),
    )


def summary(findings: pl.DataFrame) -> pl.DataFrame:
    """Per kind, type and action: how many examples and how many findings."""
    return (
        findings.group_by("kind", "type", "action")
        .agg(examples=pl.len(), count=pl.col("count").sum())
        .sort("kind", "type", "action")
    )
