"""Real background processes for the server, deployment, resume and Dask tests, always stopped by PID.

Each process starts in its own session (process group), so stopping it also stops what it spawned (a
Prefect worker's flow-run child, a Dask nanny's worker). SIGINT is reset to its default before exec:
a Prefect worker turns SIGTERM into SIGINT to itself and would ignore it if SIGINT were inherited as
ignored (shared/reference/prefect.md, pitfall 3). `Processes` is a context manager so every process is
stopped on success and on failure, and a failing test shows the tail of each process's log.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reset_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_until(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise TimeoutError(f"{what}: not ready after {timeout:.0f} s")


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class Processes:
    """Start commands in the background with their output in log files; stop all of them, newest first."""

    def __init__(self, logs: Path, env: dict[str, str]) -> None:
        self.logs = logs
        self.env = env
        self.started: list[tuple[subprocess.Popen, Path]] = []
        logs.mkdir(parents=True, exist_ok=True)

    def start(self, name: str, command: list[str], cwd: Path = ROOT) -> subprocess.Popen:
        log = self.logs / f"{name}.log"
        with log.open("wb") as handle:
            process = subprocess.Popen(
                command,
                cwd=cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=reset_sigint,
            )
        self.started.append((process, log))
        return process

    def run(self, name: str, command: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
        """A foreground command that must succeed; its output is kept for the failure message."""
        result = subprocess.run(
            command, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
        (self.logs / f"{name}.log").write_text(result.stdout + result.stderr)
        if result.returncode != 0:
            raise AssertionError(f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
        return result

    def tails(self, lines: int = 30) -> str:
        parts = []
        for log in sorted(self.logs.glob("*.log")):
            text = log.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"---- {log.name}\n" + "\n".join(text))
        return "\n".join(parts)

    def stop_all(self, grace: float = 15) -> None:
        for process, _ in reversed(self.started):
            stop_group(process, grace)
        self.started.clear()

    def __enter__(self) -> "Processes":
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: object) -> None:
        self.stop_all()
        if error is not None and not isinstance(error, KeyboardInterrupt):
            sys.stderr.write(self.tails() + "\n")


def stop_group(process: subprocess.Popen, grace: float) -> None:
    """SIGTERM the process group, wait, then SIGKILL whatever is left of it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError):  # children that outlived their parent, or a parent that hung
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
