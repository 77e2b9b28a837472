"""The `validate_dataset` flow: `ftprep validate` as a deployable Prefect flow, a gate a CI step can trust.

The run ends Failed when the data fails (`fail_on`), after its report artifact is published, with a
state message that names the file, the error count and the commonest codes; so
`prefect deployment run validate-dataset/validate --watch` exits non-zero exactly when `ftprep validate`
would. The parameters are typed so that a Prefect server refuses an unknown target, model or `fail_on`
when the run is submitted, before any run exists. Optional text parameters default to "" rather than
None: the UI then shows a plain text box instead of a str/None switch.
"""

from typing import Annotated, Literal

from prefect import flow
from prefect.artifacts import create_markdown_artifact
from prefect.client.schemas.objects import State
from pydantic import Field

from flows.failures import failed, failed_with
from pipeline.checks.validate.engine import Options, validate_files
from pipeline.checks.validate.result import counted
from pipeline.config import TargetName
from pipeline.errors import FtprepError
from pipeline.tokens import KNOWN_MODEL_PATTERN

FailOn = Literal["errors", "warnings", "never"]
ModelName = Annotated[str, Field(pattern=f"^$|{KNOWN_MODEL_PATTERN}")]
CODES_NAMED = 3  # codes named in a state message; the artifact has them all


class DatasetRejected(FtprepError):
    """The data failed the gate: what a direct call of the flow raises (a deployment run ends Failed)."""


@flow(name="validate-dataset", description="Check JSONL files against a fine-tuning target before upload.")
def validate_dataset(
    path: str,
    target: TargetName = "openai-chat",
    validation_path: str = "",
    model: ModelName = "",
    fail_on: FailOn = "errors",
) -> dict | State:
    """Validate one file, or a training and a validation file, as `ftprep validate` does.

    Args:
        path: The JSONL file to check (relative paths are read from the deployment's working folder).
        target: The fine-tuning format to check against (`ftprep targets` lists them).
        validation_path: A validation file checked with `path` (overlap between the two is an error); empty for none.
        model: Base model for token counts, limits and price (e.g. gpt-4o-mini, or an ft: name); empty for the
            target's default.
        fail_on: What fails the run: "errors" (as `ftprep validate` exits 1), "warnings" too, or "never"
            (the run only reports).
    """
    paths = [path, validation_path] if validation_path else [path]
    try:
        result = validate_files(paths, Options(target, model or None)).to_json()
    except FtprepError as error:  # an unreadable file, an unknown encoding: the CLI's line, not a traceback
        return failed_with(error)
    create_markdown_artifact(markdown=validation_markdown(result, target, fail_on), key="ftprep-validation")
    message = gate_message(result, fail_on)
    return result if message is None else failed(message, DatasetRejected(message))


def validation_markdown(result: dict, target: str, fail_on: FailOn) -> str:
    """The `ftprep-validation` artifact: the files, the gate's verdict as the run's state has it, and every
    error and warning code with its count (the state message names only the commonest)."""
    stats = result["stats"]
    fails = gate_message(result, fail_on) is not None
    if stats["errors"]:
        verdict = f"has {counted(stats['errors'], 'error')}"
    elif fails:
        verdict = f"fails on {counted(stats['warnings'], 'warning')} (fail_on = warnings)"
    else:
        verdict = "passes" + (f" with {counted(stats['warnings'], 'warning')}" if stats["warnings"] else "")
    outcome = "the run fails" if fails else "the run completes"
    lines = [
        f"# {', '.join(result['files'])}: {verdict}",
        f"{stats['records']} records, target `{target}`, fail_on `{fail_on}`: {outcome}.",
    ]
    rows = [("error", code, count) for code, count in stats["errors_by_code"].items()]
    rows += [("warning", code, count) for code, count in stats["warnings_by_code"].items()]
    if rows:
        lines.append(
            "| level | code | count |\n|---|---|---|\n" + "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
        )
    return "\n\n".join(lines) + "\n"


def gate_message(result: dict, fail_on: FailOn) -> str | None:
    """Why the run fails, in one line (`train.jsonl: 12 errors: schema.required x8, ...`); None when it passes."""
    stats = result["stats"]
    files = ", ".join(result["files"])
    if fail_on != "never" and stats["errors"]:
        also = f"; {counted(stats['warnings'], 'warning')}" if stats["warnings"] else ""
        return f"{files}: {counted(stats['errors'], 'error')}: {commonest(stats['errors_by_code'])}{also}"
    if fail_on == "warnings" and stats["warnings"]:
        warnings = counted(stats["warnings"], "warning")
        return f"{files}: {warnings} (fail_on=warnings): {commonest(stats['warnings_by_code'])}"
    return None


def commonest(by_code: dict[str, int]) -> str:
    """`code xN` for the commonest codes (ties by name), and how many codes are left out."""
    ranked = sorted(by_code.items(), key=lambda item: (-item[1], item[0]))
    named = ", ".join(f"{code} x{count}" for code, count in ranked[:CODES_NAMED])
    rest = len(ranked) - CODES_NAMED
    return named + (f" and {counted(rest, 'more code')}" if rest > 0 else "")
