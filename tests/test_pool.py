"""The local backend's worker processes: results in order, a worker's error raised here with its message."""

import os
import signal
import time
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.executor import LOCAL_MAX_PARTITION_ROWS, LOCAL_PARTITION_ROWS, LocalBackend
from pipeline.pool import WorkerDied, WorkerPool
from pipeline.stages import STAGES

BY_NAME = {stage.name: stage for stage in STAGES}


def square(value: int) -> int:
    return value * value


def pid(_: object) -> int:
    return os.getpid()


def refuse(value: int) -> int:
    if value == 2:
        raise InputError(f"item {value}: not a file; pass a folder of documents")
    return value


class Unpicklable(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.handle = lambda: None  # a lambda cannot be pickled


# The next two act only in a spawned worker (the run's own process runs items too, and must not raise the
# unpicklable error itself, nor be killed); here they wait, so that the worker is handed an item meanwhile.


def raise_unpicklable(item: tuple[int, int]) -> int:
    value, parent = item
    if os.getpid() != parent:
        raise Unpicklable(f"item {value} broke")
    time.sleep(0.5)
    return value


def die(item: tuple[int, int]) -> int:
    value, parent = item
    if os.getpid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.5)
    return value


def die_there_refuse_here(item: tuple[int, int, str]) -> int:
    """In the worker: say so, then die. Here: wait until the worker is dead, then fail."""
    _, parent, marker = item
    if os.getpid() != parent:
        Path(marker).write_text("dying", encoding="utf-8")
        os.kill(os.getpid(), signal.SIGKILL)
    deadline = time.monotonic() + 60
    while not Path(marker).exists():
        assert time.monotonic() < deadline, "the worker never took its item"
        time.sleep(0.05)
    time.sleep(1)  # the executor notices the death at once; a second is ample
    raise ValueError("refused here, after the worker died")


@pytest.fixture(scope="module")
def pool():
    workers = WorkerPool(2)
    yield workers
    workers.close()


def slow_pid(_: object) -> int:
    time.sleep(0.2)
    return os.getpid()


def test_results_come_back_in_item_order_from_two_processes(pool):
    assert pool.map("squares", square, list(range(20))) == [value * value for value in range(20)]
    pids = pool.map("pids", slow_pid, list(range(8)))
    assert len(set(pids)) == 2
    # The spawned worker goes on from the first item; this process, the second worker, takes back the last ones.
    assert pids[0] != os.getpid() and pids[-1] == os.getpid()
    done = list(pool.as_completed("pids", slow_pid, [(item,) for item in range(8)]))
    assert len(done) == 8 and len(set(done)) == 2


def test_one_worker_or_one_item_runs_in_this_process(pool):
    assert WorkerPool(1).map("pids", pid, [1, 2, 3]) == [os.getpid()] * 3
    assert pool.map("pids", pid, [1]) == [os.getpid()]
    assert list(WorkerPool(1).as_completed("pids", pid, [(1,), (2,)])) == [os.getpid()] * 2


def test_a_workers_error_keeps_its_type_and_message(pool):
    with pytest.raises(InputError, match="item 2: not a file; pass a folder of documents"):
        pool.map("refuse", refuse, [1, 2, 3])
    with pytest.raises(InputError, match="item 2"):
        list(pool.as_completed("refuse", refuse, [(1,), (2,), (3,)]))


def test_an_error_that_cannot_be_pickled_still_says_what_happened(pool):
    with pytest.raises(RuntimeError, match=r"Unpicklable: item \d broke"):
        pool.map("unpicklable", raise_unpicklable, [(value, os.getpid()) for value in range(2)])


def test_a_killed_worker_is_named_and_the_pool_recovers():
    workers = WorkerPool(2)
    try:
        with pytest.raises(WorkerDied, match="'die' ended without an answer"):
            workers.map("die", die, [(value, os.getpid()) for value in range(4)])
        assert workers.map("squares", square, [3, 4]) == [9, 16]  # a fresh pool after a broken one
    finally:
        workers.close()


def test_a_pool_broken_beside_another_error_is_not_used_again(tmp_path):
    """The run process's own error is raised while a worker has died: the next step starts fresh workers rather
    than failing in the broken pool under its own name."""
    workers = WorkerPool(2)
    try:
        items = [(value, os.getpid(), str(tmp_path / "dying")) for value in range(2)]
        with pytest.raises(ValueError, match="refused here"):
            workers.map("both", die_there_refuse_here, items)
        assert len(set(workers.map("pids", slow_pid, list(range(6))))) == 2  # slow: the worker is handed some
    finally:
        workers.close()


@pytest.mark.parametrize(
    ("workers", "rows", "width"),
    [
        (1, 10**6, 1),  # one core: every global stage whole, in this process
        (2, LOCAL_PARTITION_ROWS - 1, 1),  # a small run is not worth the processes
        (2, 2 * LOCAL_PARTITION_ROWS, 2),
        (4, 3 * LOCAL_PARTITION_ROWS, 4),
        (2, 2 * LOCAL_MAX_PARTITION_ROWS, 2),
        (2, 2 * LOCAL_MAX_PARTITION_ROWS + 1, 4),  # a multiple of the workers: none runs a last round alone
        (2, 10**6, 20),  # a local worker holds at most LOCAL_MAX_PARTITION_ROWS examples
        (2, 10**6 + 1, 22),
    ],
)
def test_local_width_follows_the_workers_and_the_rows(workers, rows, width):
    assert LocalBackend(workers).width(rows, BY_NAME["dedup-near"]) == width


def test_a_stage_that_spreads_itself_runs_whole_here_at_any_size():
    # Token counts split their texts with polars over every core: local partitions only added worker starts and
    # file round trips (1M: 3.8 s partitioned, 2.7 s whole; bench/RESULTS.md).
    assert BY_NAME["tokens"].partitioned and BY_NAME["tokens"].spreads_itself
    assert LocalBackend(2).width(10**6, BY_NAME["tokens"]) == 1
    assert LocalBackend(2).width(10**6, BY_NAME["split"]) == 20


def has_module(name: str) -> bool:
    import sys

    return name in sys.modules


def test_started_workers_are_up_and_have_imported_before_any_item():
    import multiprocessing

    assert WorkerPool(1).start("wave") is None and not has_module("wave")  # one worker: nothing to start
    started, cold = WorkerPool(3), WorkerPool(2)
    try:
        assert cold.map("imported", has_module, ["wave"] * 4) == [False] * 4  # a module nothing here imports
        before = len(multiprocessing.active_children())
        started.start("wave")
        # Two spawned now, not at the first item; the third worker is this process, which imports it too.
        assert len(multiprocessing.active_children()) == before + 2 and has_module("wave")
        assert started.map("imported", has_module, ["wave"] * 6) == [True] * 6
    finally:
        started.close()
        cold.close()


def touch(path: str) -> str:
    Path(path).write_text("started", encoding="utf-8")
    return path


def test_lazy_calls_start_on_a_worker_before_the_last_is_made(pool, tmp_path):
    """Shard planning hands over each shard as its inputs are read: the first run while later ones are made."""
    first = tmp_path / "first"

    def calls():
        yield (str(first),)
        yield (str(tmp_path / "second"),)
        deadline = time.monotonic() + 60
        while not first.exists():  # made before anything was submitted, this call would wait forever
            assert time.monotonic() < deadline, "the first call had not started when the third was asked for"
            time.sleep(0.05)
        yield (str(tmp_path / "third"),)

    done = sorted(pool.as_completed("touch", touch, calls()))
    assert done == sorted(str(tmp_path / name) for name in ["first", "second", "third"])


def test_one_lazy_call_runs_in_this_process(pool):
    assert list(pool.as_completed("pids", pid, iter([(1,)]))) == [os.getpid()]
    assert list(pool.as_completed("pids", pid, iter([]))) == []
