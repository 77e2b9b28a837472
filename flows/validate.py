"""The `validate_dataset` flow: `ftprep validate` as a deployable Prefect flow with a report artifact."""

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from pipeline.validate import validate_file


@flow(name="validate-dataset", description="Check a JSONL file against a fine-tuning target before upload.")
def validate_dataset(path: str, target: str = "openai-chat") -> dict:
    result = validate_file(path, target).to_json()
    rows = "\n".join(f"| {code} | {count} |" for code, count in result["stats"]["errors_by_code"].items())
    verdict = "passes" if result["ok"] else f"has {result['stats']['errors']} errors"
    create_markdown_artifact(
        markdown=f"# {path}: {verdict}\n\n{result['stats']['records']} records, target `{target}`.\n\n"
        + (f"| code | count |\n|---|---|\n{rows}\n" if rows else ""),
        key="ftprep-validation",
    )
    return result
