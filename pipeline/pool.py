"""Worker processes for the local backend: shards and global-stage partitions on every core of this machine.

Shards parse in pure Python and hold the GIL, so threads cannot use a second core; processes can. They
start with `spawn` (a fresh interpreter, never a fork of a process whose polars threads may hold locks),
only when there is more than one item and more than one worker, and live as long as the backend, so the
shards and the global stages' partitions share one start-up cost. With one worker, or one item, the work
runs in this process as before: tests, notebooks and one-core machines see no processes at all.

A worker's exception is raised here with its own type and message; one that cannot cross the process
boundary (an unpicklable attribute) is raised as a RuntimeError naming it, and a worker that dies (killed
for memory) is reported as such rather than as a BrokenProcessPool traceback.
"""

import importlib
import itertools
import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

R = TypeVar("R")


class WorkerDied(RuntimeError):
    """A worker process ended without an answer (killed by the system, often for lack of memory)."""


def run_item(function: Callable[..., R], args: tuple) -> R:
    """In the worker: one item, with an exception that pickles (so the parent sees its type and message)."""
    try:
        return function(*args)
    except Exception as error:
        try:
            pickle.loads(pickle.dumps(error))
        except Exception:
            raise RuntimeError(f"{type(error).__name__}: {error}") from None
        raise


class WorkerPool:
    """Up to `workers` spawned processes, started on first use with more than one item, closed by `close`."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers if workers is not None else os.cpu_count() or 1)
        self.executor: ProcessPoolExecutor | None = None

    def as_completed(self, name: str, function: Callable[..., R], calls: Iterable[tuple]) -> Iterator[R]:
        """`function(*args)` for every args tuple, each result as it is done (in any order). `calls` may be
        lazy: each call is submitted as it comes, so the first run while later ones are still being made."""
        calls = iter(calls)
        opening = list(itertools.islice(calls, 2))  # one call alone runs here
        if self.workers == 1 or len(opening) <= 1:
            for args in itertools.chain(opening, calls):
                yield function(*args)
            return
        futures = self.submit(function, opening)
        with self.named(name, futures):
            for args in calls:
                futures += self.submit(function, [args])
            for future in as_completed(futures):
                yield future.result()

    def map(self, name: str, function: Callable[[Any], R], items: Sequence[Any]) -> list[R]:
        """`function(item)` for every item; the results in item order."""
        if self.workers == 1 or len(items) <= 1:
            return [function(item) for item in items]
        futures = self.submit(function, [(item,) for item in items])
        with self.named(name, futures):
            return [future.result() for future in futures]

    def start(self, module: str) -> None:
        """Start every worker now, each importing `module` as it starts: a spawned worker imports for a second
        or more, which then overlaps what this process does before the first items come (planning)."""
        if self.workers == 1 or self.executor is not None:
            return
        self.executor = self.spawning(module)
        for _ in range(self.workers):
            self.executor.submit(int)  # a submit finding no idle worker spawns one (spawned pools grow on demand)

    def submit(self, function: Callable[..., R], calls: Iterable[tuple]) -> list[Future]:
        if self.executor is None:
            self.executor = self.spawning()
        return [self.executor.submit(run_item, function, args) for args in calls]

    def spawning(self, module: str | None = None) -> ProcessPoolExecutor:
        """An executor of spawned workers, each importing `module` first when one is named."""
        context = multiprocessing.get_context("spawn")
        if module is None:
            return ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        return ProcessPoolExecutor(self.workers, context, initializer=importlib.import_module, initargs=(module,))

    def named(self, name: str, futures: list[Future]) -> "Cancelling":
        return Cancelling(self, name, futures)

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None


class Cancelling:
    """On the first failure: cancel what has not started, and name the step whose worker died."""

    def __init__(self, pool: WorkerPool, name: str, futures: list[Future]) -> None:
        self.pool, self.name, self.futures = pool, name, futures

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: object) -> None:
        if error is None:
            return
        for future in self.futures:
            future.cancel()
        if isinstance(error, BrokenProcessPool):
            self.pool.executor = None  # a broken pool takes no more work; the next call starts a new one
            raise WorkerDied(
                f"a worker process running '{self.name}' ended without an answer: killed, often for lack of "
                "memory (smaller shards, ingest.shard_size, need less), or started by a script that calls "
                "execute() outside `if __name__ == '__main__':` (spawned workers import the script again)"
            ) from None
