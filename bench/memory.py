"""Memory of this process and its workers, read from /proc: what bench.e2e and bench.partitions sample.

Standard library only: bench.partitions' spawned workers import their main module again and must stay light.
"""

from pathlib import Path


def status_mb(pid: object, field: str = "VmRSS") -> float:
    """A /proc/PID/status field in MB (VmRSS now, VmHWM the high-water mark); 0 for a process that is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in lines if line.startswith(f"{field}:")), 0.0)


def tree(pid: str) -> list[str]:
    """`pid` and its descendants, from /proc/PID/task/*/children."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                pending += task.read_text().split()
            except OSError:
                continue  # the task ended while being read
    return found
