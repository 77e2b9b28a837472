"""How far a prepare run is: a Prefect progress artifact for the UI, rich progress bars for the CLI.

The flow reports each finished shard and each global stage to `RunProgress`. The shard share goes to a
progress artifact (`ftprep-progress`, updated in place), so the UI shows a long run moving; every step
also goes to the listener the CLI installed with `listening`, which draws the bars. The listener is a
context variable, not a flow parameter: the flow's only parameter stays the config (the UI form).
Prefect is imported only where an artifact is made, so `--runner local` runs without it.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pipeline.shards import Progress as Listener

LISTENER: ContextVar[Listener | None] = ContextVar("ftprep_progress_listener", default=None)


class RunProgress:
    """Shards done as a progress artifact; shards and stages to the CLI's listener when there is one."""

    def __init__(self, total: int, done: int) -> None:
        from prefect.artifacts import create_progress_artifact  # only flows need Prefect: --runner local stays without

        self.total, self.done = total, done
        self.artifact = create_progress_artifact(
            progress=self.percent(), key="ftprep-progress", description="Shards of this run that are done"
        )
        self.tell("shards", done, total)

    def percent(self) -> float:
        return 100.0 * self.done / self.total if self.total else 100.0

    def shard_done(self) -> None:
        from prefect.artifacts import update_progress_artifact

        self.done += 1
        update_progress_artifact(artifact_id=self.artifact, progress=self.percent())
        self.tell("shards", self.done, self.total)

    @staticmethod
    def tell(what: str, done: int, total: int) -> None:
        listener = LISTENER.get()
        if listener is not None:
            listener(what, done, total)


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
    ids: dict[str, int] = {}

    def update(what: str, done: int, total: int) -> None:
        bar = "shards" if what == "shards" else "stages"
        if bar not in ids:
            ids[bar] = bars.add_task(bar, total=total)
        label = "shards" if bar == "shards" else f"stages: {what}"
        bars.update(ids[bar], completed=done, total=total, description=label)  # type: ignore[arg-type]

    with bars:
        yield update
