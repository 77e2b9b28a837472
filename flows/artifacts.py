"""`ftprep artifact KEY`: the latest artifact with a key, read back from a Prefect server, as text to read.

`prefect artifact inspect` prints the stored record as a Python dict, the Markdown inside it with `\\n`
escapes. This prints what the artifact says: Markdown as it is, a table as a Markdown table, progress as
a number. It reads from the server at PREFECT_API_URL (the environment or the active Prefect profile) and
nowhere else: without one, Prefect would start a temporary server over the local database, which holds
the local `ftprep prepare` runs and not the server's.
"""

import json
from itertools import zip_longest
from typing import TYPE_CHECKING, Any
from uuid import UUID

from pipeline.errors import InputError
from pipeline.report.markdown import table

if TYPE_CHECKING:
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.client.schemas.objects import Artifact

KEYS_NAMED = 12  # keys listed when the asked one has no artifact


def artifact_text(key: str, flow_run_id: UUID | None = None) -> str:
    """The latest artifact with `key` (of one flow run, when given) rendered as text; InputError when the
    API URL is unset, the server does not answer or no such artifact exists."""
    import httpx
    from prefect.client.orchestration import get_client

    url = api_url()
    try:
        with get_client(sync_client=True) as client:
            trouble = client.api_healthcheck()
            if trouble is not None:
                raise InputError(
                    f"PREFECT_API_URL {url}: no Prefect server answers ({why(trouble)}); start one "
                    "(`make server`) or point PREFECT_API_URL at the server the flow ran on"
                    + ("" if url.rstrip("/").endswith("/api") else " (its API URL ends in /api)")
                )
            artifact = latest(client, key, flow_run_id)
            if artifact is None:
                where = f"flow run {flow_run_id}" if flow_run_id else url
                found = keys_there(client, flow_run_id)
                listed = ", ".join(found[:KEYS_NAMED]) + (", ..." if len(found) > KEYS_NAMED else "")
                raise InputError(f"no artifact with key '{key}' on {where} (keys there: {listed or 'none'})")
    except httpx.HTTPError as error:  # the server went away or refused a request after the health check
        raise InputError(f"PREFECT_API_URL {url}: {why(error)}") from None
    return render(artifact.type, artifact.data)


def api_url() -> str:
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    if not url:
        raise InputError(
            "PREFECT_API_URL is not set: point it at the server the flow ran on "
            "(`make server` prints it, e.g. export PREFECT_API_URL=http://127.0.0.1:4200/api)"
        )
    return url


def latest(client: "SyncPrefectClient", key: str, flow_run_id: UUID | None) -> "Artifact | None":
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    where: dict[str, Any] = {"key": ArtifactFilterKey(any_=[key])}
    if flow_run_id is not None:
        where["flow_run_id"] = ArtifactFilterFlowRunId(any_=[flow_run_id])
    found = client.read_artifacts(artifact_filter=ArtifactFilter(**where), sort=ArtifactSort.CREATED_DESC, limit=1)
    return found[0] if found else None


def keys_there(client: "SyncPrefectClient", flow_run_id: UUID | None) -> list[str]:
    """The artifact keys of one flow run, or the server's latest keys, for the error that names the key."""
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
    from prefect.client.schemas.sorting import ArtifactCollectionSort

    if flow_run_id is not None:
        of_run = ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        return sorted({artifact.key for artifact in client.read_artifacts(artifact_filter=of_run) if artifact.key})
    collections = client.read_latest_artifacts(sort=ArtifactCollectionSort.KEY_ASC, limit=KEYS_NAMED + 1)
    return [collection.key for collection in collections]


def render(kind: str | None, data: Any) -> str:
    """An artifact's data as text: Markdown, links and images as stored, tables as Markdown, progress as
    a number (a percentage), anything else as JSON."""
    if kind == "table":
        return table_markdown(json.loads(data) if isinstance(data, str) else data)
    if kind == "progress" and isinstance(data, int | float):
        return f"{data:g}"
    if isinstance(data, str):
        return data
    return json.dumps(data, ensure_ascii=False, indent=2)


def table_markdown(data: Any) -> str:
    """A Prefect table (a list of rows as dicts, a dict of columns, or a list of rows as lists) as a
    Markdown table; the columns of dict rows in their first-seen order, a missing or null cell empty."""
    if isinstance(data, dict):
        header = [str(name) for name in data]
        rows = [list(row) for row in zip_longest(*data.values())]
    elif isinstance(data, list) and all(isinstance(row, dict) for row in data):
        header = list(dict.fromkeys(name for row in data for name in row))
        rows = [[row.get(name) for name in header] for row in data]
    elif isinstance(data, list) and all(isinstance(row, list) for row in data):
        header = [str(number) for number in range(1, max((len(row) for row in data), default=0) + 1)]
        rows = [row + [None] * (len(header) - len(row)) for row in data]
    else:
        raise InputError(f"the table artifact holds {type(data).__name__} data, not rows or columns")
    if not header:
        return "(empty table)"
    return table(header, [[cell(value) for value in row] for row in rows])


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def why(error: BaseException) -> str:
    """An HTTP error as its status and URL (httpx adds a paragraph and a link); any other in one line."""
    import httpx

    if isinstance(error, httpx.HTTPStatusError):
        return f"HTTP {error.response.status_code} from {error.request.url}"
    return (" ".join(str(error).split()) or type(error).__name__)[:300]
