"""Worker processes for validation, started from a clean server process rather than forked from this one.

By the time workers are needed this process runs polars' thread pool; forking a process with running
threads copies whatever locks those threads held, and a worker could wait on one forever (seen here
once in about twenty runs). The forkserver start method forks workers from a single-threaded server
that has already imported the validation modules, so they start fast and safe on every platform.
"""

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

PRELOAD = [
    "pipeline.checks.validate.per_line",
    "pipeline.checks.validate.counting",
    "pipeline.checks.validate.columnar",
]


def process_pool(
    workers: int, initializer: Callable[..., object] | None = None, initargs: tuple = ()
) -> ProcessPoolExecutor:
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(PRELOAD)
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=initializer, initargs=initargs)
