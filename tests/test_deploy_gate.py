"""The deployments as a gate: bad data fails the run, bad parameters never make one, overrides merge.

The fast tests check the pieces without a server: the state message of a failing validation, the merge
of a run's config over the deployment's, and the parameter schemas a server enforces. The `server` tests
start ONE real `prefect server start`, a process worker and `prefect deploy --all` for the module (each
start costs 30-60 s here) and drive the deployments as a CI step would: through the API, and with
`python -m prefect deployment run ... --watch`, whose exit code is the gate.
"""

import asyncio
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from flows.overrides import merged, over_deployment
from flows.validate import gate_message, validate_dataset, validation_markdown
from pipeline.checks.targets import TARGETS
from pipeline.config import PrepareConfig, config_json_schema
from pipeline.executor import execute
from pipeline.tokens import KNOWN_MODEL_PATTERN, model_spec
from tests.processes import ROOT, Processes, free_port
from tests.test_deploy import (
    DATASET_FILES,
    GOOD,
    PREFECT,
    run_deployment_and_wait,
    serve_deployments,
    server_env,
)

BAD = json.dumps({"messages": [{"role": "user", "content": "Hi?"}]})  # no assistant answer
DEPLOYED_CONFIG = next(
    deployment["parameters"]["config"]
    for deployment in yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]
    if deployment["name"] == "sample"
)


def validation(errors: dict[str, int], warnings: dict[str, int] | None = None) -> dict:
    """The parts of a `ftprep validate --json` result that gate_message reads."""
    warnings = warnings or {}
    stats = {"errors": sum(errors.values()), "warnings": sum(warnings.values())}
    return {"files": ["runs/x/train.jsonl"], "stats": {**stats, "errors_by_code": errors, "warnings_by_code": warnings}}


def test_a_failing_file_is_named_with_its_error_count_and_commonest_codes():
    result = validation({"semantic.role_order": 4, "schema.required": 8}, {"dataset.duplicate": 2})
    assert gate_message(result, "errors") == (
        "runs/x/train.jsonl: 12 errors: schema.required x8, semantic.role_order x4; 2 warnings"
    )
    many = validation({"a.one": 1, "b.two": 2, "c.three": 3, "d.four": 4, "e.five": 5})
    assert (
        gate_message(many, "warnings")
        == "runs/x/train.jsonl: 15 errors: e.five x5, d.four x4, c.three x3 and 2 more codes"
    )


def test_warnings_fail_only_with_fail_on_warnings_and_never_fails_nothing():
    warned = validation({}, {"dataset.duplicate": 3})
    assert gate_message(warned, "errors") is None
    assert gate_message(warned, "warnings") == "runs/x/train.jsonl: 3 warnings (fail_on=warnings): dataset.duplicate x3"
    assert gate_message(validation({"schema.required": 1}), "never") is None
    assert gate_message(validation({}), "warnings") is None


def test_the_validation_artifact_gives_the_gates_verdict_and_every_code():
    warned = validation({}, {"dataset.conflict": 1})
    warned["files"] = ["runs/x/train.jsonl", "runs/x/validation.jsonl"]
    warned["stats"]["records"] = 12
    failing = validation_markdown(warned, "openai-chat", "warnings")
    assert failing.splitlines()[0] == (
        "# runs/x/train.jsonl, runs/x/validation.jsonl: fails on 1 warning (fail_on = warnings)"
    )
    assert "12 records, target `openai-chat`, fail_on `warnings`: the run fails." in failing
    assert "| warning | dataset.conflict | 1 |" in failing
    passing = validation_markdown(warned, "openai-chat", "errors")
    assert passing.splitlines()[0].endswith(": passes with 1 warning")
    assert "the run completes" in passing and "| warning | dataset.conflict | 1 |" in passing
    errors = validation({"schema.required": 2}, {"dataset.duplicate": 3})
    errors["stats"]["records"] = 5
    never = validation_markdown(errors, "openai-chat", "never")
    assert never.splitlines()[0] == "# runs/x/train.jsonl: has 2 errors"
    assert "fail_on `never`: the run completes." in never
    assert "| error | schema.required | 2 |\n| warning | dataset.duplicate | 3 |" in never
    assert gate_message(validation({"schema.required": 1}, {"dataset.conflict": 1}), "errors") == (
        "runs/x/train.jsonl: 1 error: schema.required x1; 1 warning"
    )


def test_a_run_config_is_laid_over_the_deployment_config_field_by_field():
    run = PrepareConfig.model_validate({"out": "runs/partial", "ingest": {"shard_size": 7}})
    config = over_deployment(run, DEPLOYED_CONFIG)
    assert config.out == "runs/partial" and config.ingest.shard_size == 7
    assert config.sources == DEPLOYED_CONFIG["sources"]
    assert config.ingest.exclude == DEPLOYED_CONFIG["ingest"]["exclude"]  # a section the run named keeps the rest
    assert config.generate.system_prompt == DEPLOYED_CONFIG["generate"]["system_prompt"]
    cleared = over_deployment(PrepareConfig.model_validate({"generate": {"system_prompt": None}}), DEPLOYED_CONFIG)
    assert cleared.generate.system_prompt is None  # an explicit null clears; an omitted field keeps
    replaced = over_deployment(PrepareConfig.model_validate({"sources": ["a", "b"]}), DEPLOYED_CONFIG)
    assert replaced.sources == ["a", "b"]  # lists are replaced whole
    whole = PrepareConfig.model_validate(json.loads(PrepareConfig(sources=["c"]).model_dump_json()))
    assert over_deployment(whole, DEPLOYED_CONFIG) == whole  # every field given: the run's config as it is
    assert over_deployment(run, None) is run  # not a deployment run: nothing changes


def test_merged_merges_dicts_at_every_depth_and_replaces_everything_else():
    base = {"a": {"b": {"c": 1, "d": 2}, "e": [1, 2]}, "f": 3}
    assert merged(base, {"a": {"b": {"c": 9}, "e": [3]}}) == {"a": {"b": {"c": 9, "d": 2}, "e": [3]}, "f": 3}
    assert merged(base, {"a": None}) == {"a": None, "f": 3}
    assert base == {"a": {"b": {"c": 1, "d": 2}, "e": [1, 2]}, "f": 3}  # the base is not changed


def test_the_validate_parameters_a_server_checks_follow_the_registries():
    from prefect.utilities.callables import parameter_schema

    properties = parameter_schema(validate_dataset.fn).model_dump_for_openapi()["properties"]
    assert set(properties["target"]["enum"]) == set(TARGETS)
    assert properties["fail_on"]["enum"] == ["errors", "warnings", "never"]
    pattern = re.compile(properties["model"]["pattern"])
    names = ["gpt-4o-mini", "gpt-4.1-nano-2025-04-14", "ft:gpt-4o-mini-2024-07-18:org::abc", "o3-mini", "gpt-3.5-turbo"]
    names += ["llama3", "meta-llama/Llama-3-8B", "gpt4", "ft:", "openai", "GPT-4o", "gpt-4-1"]
    for name in names:
        assert bool(pattern.search(name)) == (model_spec(name) is not None), name
    assert pattern.search("") and KNOWN_MODEL_PATTERN in properties["model"]["pattern"]
    assert all("anyOf" not in spec for spec in properties.values())  # no str/None switch in the UI's form


def test_optional_config_fields_are_plain_types_that_a_server_still_accepts_as_null():
    """What the server checks is the flow's parameter schema, run through Prefect's own validation."""
    from prefect.utilities.callables import parameter_schema
    from prefect.utilities.schema_tools.validation import ValidationError, validate

    from flows.prepare import prepare_dataset

    def nullable(schema: object) -> bool:
        if isinstance(schema, dict):
            return schema.get("type") == "null" or any(nullable(value) for value in schema.values())
        return isinstance(schema, list) and any(nullable(item) for item in schema)

    schema = parameter_schema(prepare_dataset.fn).model_dump_for_openapi()
    assert not nullable(schema) and not nullable(config_json_schema())  # no str/None switch in the UI's form
    validate({"config": PrepareConfig().model_dump(mode="json")}, schema, raise_on_error=True)  # its nulls too
    with pytest.raises(ValidationError, match="'openai' is not one of"):
        validate({"config": {"target": "openai"}}, schema, raise_on_error=True)
    with pytest.raises(ValidationError, match="'dpo' is not one of"):
        validate({"config": {"kind": "dpo"}}, schema, raise_on_error=True)


# ---- on a real server ----------------------------------------------------------------------------------


class Deployed:
    """The module's server: its API URL, its processes and their environment."""

    def __init__(self, api: str, procs: Processes) -> None:
        self.api = api
        self.procs = procs

    def run(self, name: str, parameters: dict) -> dict:
        return asyncio.run(run_deployment_and_wait(self.api, name, parameters))

    def cli(self, *args: str, timeout: float = 240) -> subprocess.CompletedProcess:
        """`python -m prefect ARGS` as a CI step runs it; output kept whole (rich wraps at 80 columns)."""
        env = {**self.procs.env, "COLUMNS": "400"}
        return subprocess.run(
            [*PREFECT, *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )

    def flow_run_count(self) -> int:
        from prefect.client.orchestration import PrefectClient

        async def count() -> int:
            async with PrefectClient(self.api) as client:
                return await client.count_flow_runs()

        return asyncio.run(count())


@pytest.fixture(scope="module")
def deployed(tmp_path_factory) -> Iterator[Deployed]:
    """One server, pool, worker and `prefect deploy --all` for every server test of this module."""
    home = tmp_path_factory.mktemp("gate")
    port = free_port()
    env = server_env(home / "prefect-home", port)
    # As `make server` runs it: the server streams run logs, so `--watch` prints the failure's line.
    env.update(PREFECT_SERVER_LOGS_STREAM_OUT_ENABLED="true", PREFECT_SERVER_LOGS_STREAM_PUBLISHING_ENABLED="true")
    with Processes(home / "logs", env) as procs:
        api = serve_deployments(procs, port, worker="gate-worker", limit=3)
        yield Deployed(api, procs)


def jsonl(path: Path, *lines: str) -> str:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


def one_line(text: str) -> str:
    return " ".join(text.split())


async def validate_all(api: str, runs: list[dict]) -> list[dict]:
    return await asyncio.gather(*(run_deployment_and_wait(api, "validate-dataset/validate", run) for run in runs))


@pytest.mark.server
def test_bad_data_fails_the_validate_run_and_the_watching_cli(deployed, tmp_path):
    bad = jsonl(tmp_path / "bad.jsonl", *[GOOD] * 9, BAD, BAD, '{"prompt": "Hi?"}')
    good = jsonl(tmp_path / "good.jsonl", *[GOOD] * 10)
    failed, clean, reported, missing = asyncio.run(
        validate_all(
            deployed.api,
            [{"path": bad}, {"path": good}, {"path": bad, "fail_on": "never"}, {"path": str(tmp_path / "nope.jsonl")}],
        )
    )
    codes = "semantic.no_assistant x2, schema.additionalProperties x1, schema.required x1"
    message = f"{bad}: 4 errors: {codes}; 10 warnings"  # the warnings: nine identical examples
    assert failed["state"].is_failed(), failed["state"]
    assert failed["state"].message == message
    assert "has 4 errors" in failed["artifacts"]["ftprep-validation"].data  # published before the run failed
    assert clean["state"].is_completed(), clean["state"]
    assert "passes" in clean["artifacts"]["ftprep-validation"].data
    assert reported["state"].is_completed(), reported["state"]
    assert missing["state"].is_failed()
    assert (
        missing["state"].message
        == f"ftprep: error: {tmp_path / 'nope.jsonl'}: cannot read (No such file or directory); check the path"
    )

    watched = deployed.cli("deployment", "run", "validate-dataset/validate", "--param", f"path={bad}", "--watch")
    output = watched.stdout + watched.stderr
    assert watched.returncode == 1, output
    assert "Flow run finished in state 'Failed'." in output
    assert message in one_line(output)  # the run's log line, streamed by the server
    passed = deployed.cli("deployment", "run", "validate-dataset/validate", "--param", f"path={good}", "--watch")
    assert passed.returncode == 0, passed.stdout + passed.stderr


@pytest.mark.server
def test_an_unknown_target_is_refused_before_any_flow_run_exists(deployed, tmp_path):
    from prefect.client.orchestration import PrefectClient
    from prefect.exceptions import PrefectHTTPStatusError

    good = jsonl(tmp_path / "good.jsonl", *[GOOD] * 10)
    before = deployed.flow_run_count()
    refused = deployed.cli(
        "deployment",
        "run",
        "validate-dataset/validate",
        "--param",
        f"path={good}",
        "--param",
        "target=openai",
        "--watch",
    )
    assert refused.returncode == 1 and "'openai' is not one of" in one_line(refused.stdout + refused.stderr)

    async def submit(name: str, parameters: dict) -> int:
        async with PrefectClient(deployed.api) as client:
            deployment = await client.read_deployment_by_name(name)
            with pytest.raises(PrefectHTTPStatusError) as refusal:
                await client.create_flow_run_from_deployment(deployment.id, parameters=parameters)
        return refusal.value.response.status_code

    assert asyncio.run(submit("validate-dataset/validate", {"path": good, "target": "openai"})) == 409
    assert asyncio.run(submit("validate-dataset/validate", {"path": good, "model": "llama3"})) == 409
    assert asyncio.run(submit("prepare-dataset/sample", {"config": {"target": "openai"}})) == 409
    assert asyncio.run(submit("prepare-dataset/sample", {"config": {"kind": "dpo"}})) == 409
    assert deployed.flow_run_count() == before


@pytest.mark.server
def test_a_partial_config_keeps_the_deployment_config_and_a_bad_one_fails_with_its_line(
    deployed, tmp_path, monkeypatch
):
    out = tmp_path / "partial"
    override = {"out": str(out), "ingest": {"shard_size": 3}}  # shard_size: a section named, the rest kept
    missing = {"out": str(tmp_path / "missing"), "sources": ["no/such/folder"]}

    async def both() -> list[dict]:
        return await asyncio.gather(
            run_deployment_and_wait(deployed.api, "prepare-dataset/sample", {"config": override}, timeout=300),
            run_deployment_and_wait(deployed.api, "prepare-dataset/sample", {"config": missing}, timeout=300),
        )

    partial, failed = asyncio.run(both())
    assert partial["state"].is_completed(), partial["state"]
    assert failed["state"].is_failed()
    assert failed["state"].message == (
        "ftprep: error: no/such/folder: no such file or folder; pass existing files or folders as SOURCES"
    )

    monkeypatch.chdir(ROOT)  # the deployment's sources are relative to the checkout, as the run's were
    local = tmp_path / "local"
    execute(PrepareConfig.model_validate({**DEPLOYED_CONFIG, "out": str(local)}))
    for name in DATASET_FILES:
        assert (out / name).read_bytes() == (local / name).read_bytes(), name
