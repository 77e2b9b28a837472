"""How far a prepare run is: a Prefect progress artifact for the UI, rich progress bars for the CLI.

The executor reports each finished shard and each global stage to its progress listener; in a flow that
is `RunProgress`. The shard share goes to a progress artifact (`ftprep-progress`, updated in place), so
the UI shows a long run moving; every step also goes to the listener the CLI installed with
`listening`, which draws the bars. The listener is a
context variable, not a flow parameter: the flow's only parameter stays the config (the UI form).
Prefect is imported only where an artifact is made, so `--runner local` runs without it.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from uuid import UUID

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from pipeline.executor import Progress as Listener

LISTENER: ContextVar[Listener | None] = ContextVar("ftprep_progress_listener", default=None)


class RunProgress:
    """The executor's progress listener in a flow: shards done as a progress artifact, and every step to the
    CLI's listener when there is one."""

    def __init__(self) -> None:
        self.artifact: UUID | None = None

    def __call__(self, what: str, done: int, total: int) -> None:
        if what == "shards":
            self.show_shards(done, total)
        listener = LISTENER.get()
        if listener is not None:
            listener(what, done, total)

    def show_shards(self, done: int, total: int) -> None:
        from prefect.artifacts import create_progress_artifact, update_progress_artifact  # --runner local: no Prefect

        percent = 100.0 * done / total if total else 100.0
        if self.artifact is None:
            # Prefect's async_dispatch types the call as UUID | Coroutine; called from sync code it returns the UUID.
            self.artifact = create_progress_artifact(  # type: ignore[assignment]
                progress=percent, key="ftprep-progress", description="Shards of this run that are done"
            )
        else:
            update_progress_artifact(artifact_id=self.artifact, progress=percent)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    token = LISTENER.set(listener)
    try:
        yield
    finally:
        LISTENER.reset(token)


@contextmanager
def progress_bars(enabled: bool) -> Iterator[Listener]:
    """Two bars on stderr, shards and then the global stages (nothing at all when not `enabled`)."""
    console = Console(file=sys.stderr)
    bars = Progress(
        TextColumn("[bold]{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=not enabled,
        transient=False,
    )
    ids: dict[str, TaskID] = {}

    def update(what: str, done: int, total: int) -> None:
        bar = "shards" if what == "shards" else "stages"
        if bar not in ids:
            ids[bar] = bars.add_task(bar, total=total)
        label = "shards" if bar == "shards" else f"stages: {what}"
        bars.update(ids[bar], completed=done, total=total, description=label)

    with bars:
        yield update
