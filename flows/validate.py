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
    rows = "\n".join(f"| {code} | {count} |" for code, count in result["stats"]["errors_by_code"].items())
    verdict = "passes" if result["ok"] else f"has {result['stats']['errors']} errors"
    create_markdown_artifact(
        markdown=f"# {path}: {verdict}\n\n{result['stats']['records']} records, target `{target}`.\n\n"
        + (f"| code | count |\n|---|---|\n{rows}\n" if rows else ""),
        key="ftprep-validation",
    )
    message = gate_message(result, fail_on)
    return result if message is None else failed(message, DatasetRejected(message))


def gate_message(result: dict, fail_on: FailOn) -> str | None:
    """Why the run fails, in one line (`train.jsonl: 12 errors: schema.required x8, ...`); None when it passes."""
    stats = result["stats"]
    files = ", ".join(result["files"])
    if fail_on != "never" and stats["errors"]:
        also = f"; {stats['warnings']} warnings" if stats["warnings"] else ""
        return f"{files}: {stats['errors']} errors: {commonest(stats['errors_by_code'])}{also}"
    if fail_on == "warnings" and stats["warnings"]:
        return f"{files}: {stats['warnings']} warnings (fail_on=warnings): {commonest(stats['warnings_by_code'])}"
    return None


def commonest(by_code: dict[str, int]) -> str:
    """`code xN` for the commonest codes (ties by name), and how many codes are left out."""
    ranked = sorted(by_code.items(), key=lambda item: (-item[1], item[0]))
    named = ", ".join(f"{code} x{count}" for code, count in ranked[:CODES_NAMED])
    rest = len(ranked) - CODES_NAMED
    return named + (f" and {rest} more code{'s' if rest > 1 else ''}" if rest > 0 else "")
