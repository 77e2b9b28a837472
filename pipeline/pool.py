"""Worker processes for the local backend: shards and global-stage partitions on every core of this machine.

Shards parse in pure Python and hold the GIL, so threads cannot use a second core; processes can. They
start with `spawn` (a fresh interpreter, never a fork of a process whose polars threads may hold locks),
only when there is more than one item and more than one worker, and live as long as the backend, so the
shards and the global stages' partitions share one start-up cost. With one worker, or one item, the work
runs in this process as before: tests, notebooks and one-core machines see no processes at all.

With `workers` cores, `workers - 1` processes are spawned and this process is the last worker: once it has
handed every item over, it takes back the ones no worker has started, from the last, and runs them itself.
It has imported everything already, and while the items run it would only wait; a spawned worker costs a
second of CPU to import what this process holds, and its own memory (bench/RESULTS.md, tenth sitting).

A worker's exception is raised here with its own type and message; one that cannot cross the process
boundary (an unpicklable attribute) is raised as a RuntimeError naming it, and a worker that dies (killed
for memory) is reported as such rather than as a BrokenProcessPool traceback.
"""

import functools
import importlib
import itertools
import multiprocessing
import os
import pickle
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
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
    """`workers` at once: this process and up to `workers - 1` spawned ones, started on first use with more than
    one item, closed by `close`."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers if workers is not None else os.cpu_count() or 1)
        self.executor: ProcessPoolExecutor | None = None

    def as_completed(self, name: str, function: Callable[..., R], calls: Iterable[tuple]) -> Iterator[R]:
        """`function(*args)` for every args tuple, each result as it is done (in any order). `calls` may be
        lazy: each call is handed to a worker as it comes, so the first run while later ones are still being
        made; this process runs calls itself once every call is made."""
        calls = iter(calls)
        opening = list(itertools.islice(calls, 2))  # one call alone runs here
        if self.workers == 1 or len(opening) <= 1:
            for args in itertools.chain(opening, calls):
                yield function(*args)
            return
        for _, result in self.spread(name, function, itertools.chain(opening, calls)):
            yield result

    def map(self, name: str, function: Callable[[Any], R], items: Sequence[Any]) -> list[R]:
        """`function(item)` for every item; the results in item order."""
        if self.workers == 1 or len(items) <= 1:
            return [function(item) for item in items]
        results = dict(self.spread(name, function, ((item,) for item in items)))
        return [results[index] for index in range(len(items))]

    def spread(self, name: str, function: Callable[..., R], calls: Iterable[tuple]) -> Iterator[tuple[int, R]]:
        """(index, result) of every call, as each is done: the spawned workers take calls from the first, one at
        a time, and this process takes them from the last once every call is made."""
        if self.executor is None:
            self.executor = self.spawning()
        handing = Handing(self.executor, function, self.workers - 1)
        feeder = threading.Thread(target=handing.feed, name=f"ftprep-{name}", daemon=True)
        feeder.start()
        try:
            with Abandoning(self, name):
                for index, args in enumerate(calls):
                    handing.add(index, args)
                handing.all_added()
                while (taken := handing.next()) is not None:
                    index, args, future = taken
                    yield index, (function(*args) if future is None else future.result())
        finally:
            handing.close()
            feeder.join(timeout=10)  # it only waits on the condition, which close() signals

    def start(self, module: str) -> None:
        """Start every worker now, each importing `module` as it starts: a spawned worker imports for a second
        or more, which then overlaps what this process does before the first items come (planning)."""
        if self.workers == 1 or self.executor is not None:
            return
        importlib.import_module(module)  # this process runs items too
        self.executor = self.spawning(module)
        for _ in range(self.workers - 1):
            self.executor.submit(int)  # a submit finding no idle worker spawns one (spawned pools grow on demand)

    def spawning(self, module: str | None = None) -> ProcessPoolExecutor:
        """An executor of spawned workers, each importing `module` first when one is named."""
        context = multiprocessing.get_context("spawn")
        spawned = self.workers - 1  # and this process
        if module is None:
            return ProcessPoolExecutor(max_workers=spawned, mp_context=context)
        return ProcessPoolExecutor(spawned, context, initializer=importlib.import_module, initargs=(module,))

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True)  # nothing is pending: calls are handed over one at a time
            self.executor = None


class Handing:
    """The calls of one `spread`, between this process and the spawned workers.

    A worker is handed one call at a time, by a thread that hands it the next as soon as one is done: calls
    queued for a worker could not be taken back (the executor queues one more than it has workers, and a
    cancelled future it still holds breaks Python 3.11's handling of a dead worker), and the last call this
    process could not take back would leave it idle while a worker still had two to run."""

    def __init__(self, executor: ProcessPoolExecutor, function: Callable[..., Any], slots: int) -> None:
        self.executor, self.function, self.slots = executor, function, slots
        self.waiting: deque[tuple[int, tuple]] = deque()  # made, not yet handed to anyone
        self.finished: deque[tuple[int, Future]] = deque()  # a worker's, done, not yet taken
        self.running = 0  # handed to a worker, not done
        self.made = self.closed = False
        self.error: BaseException | None = None
        self.changed = threading.Condition()

    def add(self, index: int, args: tuple) -> None:
        with self.changed:
            if self.error is not None:  # the pool broke while the calls are still being made: stop making them
                raise self.error
            self.waiting.append((index, args))
            self.changed.notify_all()

    def all_added(self) -> None:
        with self.changed:
            self.made = True
            self.changed.notify_all()

    def feed(self) -> None:
        """The feeding thread: keep every worker busy with one call from the front while there are any."""
        with self.changed:
            try:
                while not self.closed and not (self.made and not self.waiting):
                    while self.running < self.slots and self.waiting:
                        index, args = self.waiting.popleft()
                        future = self.executor.submit(run_item, self.function, args)
                        self.running += 1
                        future.add_done_callback(functools.partial(self.done, index))
                    self.changed.wait()
            except BaseException as error:  # a broken pool refuses calls: raised where the results are taken
                self.error = error
                self.changed.notify_all()

    def done(self, index: int, future: Future) -> None:
        with self.changed:
            self.running -= 1
            self.finished.append((index, future))
            self.changed.notify_all()

    def next(self) -> tuple[int, tuple, Future | None] | None:
        """The next thing for this process: a worker's finished call (its future), else a call from the back to
        run here (no future), else None when all is done; waits while the workers run the last calls."""
        with self.changed:
            while True:
                if self.error is not None:
                    raise self.error
                if self.finished:
                    index, future = self.finished.popleft()
                    return index, (), future
                if self.waiting:
                    index, args = self.waiting.pop()
                    return index, args, None
                if self.running == 0:
                    return None
                self.changed.wait()

    def close(self) -> None:
        with self.changed:
            self.closed = True
            self.changed.notify_all()


class Abandoning:
    """On the first failure of a step: drop the executor, and name the step whose worker died.

    Nothing handed to a worker is cancelled: the executor may still hold a call as pending, and a cancelled future
    it holds breaks Python 3.11's handling of a dead worker (`terminate_broken` raises in its thread and leaves the
    other workers running). The executor is dropped whatever the error, since a worker may have died beside it;
    its workers end once their current call is done, and the next step starts fresh ones."""

    def __init__(self, pool: WorkerPool, name: str) -> None:
        self.pool, self.name = pool, name

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: object) -> None:
        if error is None:
            return
        if self.pool.executor is not None:
            self.pool.executor.shutdown(wait=False)
            self.pool.executor = None
        if isinstance(error, BrokenProcessPool):
            raise WorkerDied(
                f"a worker process running '{self.name}' ended without an answer: killed, often for lack of "
                "memory (smaller shards, ingest.shard_size, need less), or started by a script that calls "
                "execute() outside `if __name__ == '__main__':` (spawned workers import the script again)"
            ) from None
