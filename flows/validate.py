"""The `validate_dataset` flow: `ftprep validate` as a deployable Prefect flow with a report artifact."""

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from pipeline.checks.validate.engine import Options, validate_files


@flow(name="validate-dataset", description="Check JSONL files against a fine-tuning target before upload.")
def validate_dataset(
    path: str, target: str = "openai-chat", validation_path: str | None = None, model: str | None = None
) -> dict:
    paths = [path] if validation_path is None else [path, validation_path]
    result = validate_files(paths, Options(target, model)).to_json()
    rows = "\n".join(f"| {code} | {count} |" for code, count in result["stats"]["errors_by_code"].items())
    verdict = "passes" if result["ok"] else f"has {result['stats']['errors']} errors"
    create_markdown_artifact(
        markdown=f"# {path}: {verdict}\n\n{result['stats']['records']} records, target `{target}`.\n\n"
        + (f"| code | count |\n|---|---|\n{rows}\n" if rows else ""),
        key="ftprep-validation",
    )
    return result
