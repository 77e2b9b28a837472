"""A deployment run's `config` as a set of overrides of the deployment's own config, not a replacement.

Prefect merges a run's parameters over a deployment's one name deep: a run given
`config={"out": "runs/partial"}` would get that dict as the whole config, without the deployment's
sources, excludes or system prompt. So the prepare flow reads the deployment's `config` back from the
API and lays over it only the fields the run set (pydantic's `model_fields_set`, section by section):
a field the run names replaces the deployment's, a section it names is merged key by key, lists are
replaced whole. Outside a deployment (`ftprep prepare`, a direct call) the config is used as given.
"""

from typing import Any

from pipeline.config import PrepareConfig, build


def merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`override` laid over `base`: dicts merge key by key at every depth, anything else replaces."""
    result = dict(base)
    for key, value in override.items():
        below = result.get(key)
        result[key] = merged(below, value) if isinstance(below, dict) and isinstance(value, dict) else value
    return result


def explicit(config: PrepareConfig) -> dict[str, Any]:
    """The fields the config was given, in each section too (defaults left out)."""
    return config.model_dump(mode="json", exclude_unset=True)


def over_deployment(config: PrepareConfig, deployed: object) -> PrepareConfig:
    """The run's explicit fields over the deployment's `config` parameter (as stored on the server)."""
    if not isinstance(deployed, dict):
        return config
    base = build(deployed, origin="the deployment's config")
    return build(merged(explicit(base), explicit(config)), origin="the run's config over the deployment's")


def deployment_config() -> object:
    """The `config` parameter the running flow's deployment was created with; None outside a deployment.

    Not `prefect.runtime.deployment.parameters`: that is the flow run's parameters, already replaced.
    """
    from prefect import runtime
    from prefect.client.orchestration import get_client

    deployment_id = runtime.deployment.id
    if deployment_id is None:
        return None
    with get_client(sync_client=True) as client:
        return client.read_deployment(deployment_id).parameters.get("config")
