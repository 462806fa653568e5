"""Assembling a running casework from its settings: database, vault, application."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import structlog

from casework.application import Casework
from casework.embedded import EmbeddedPostgres
from casework.settings import Settings
from casework.vault import Vault

log = structlog.get_logger("casework.runtime")


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    database_url: str
    vault: Vault
    app: Casework


@contextmanager
def database(settings: Settings) -> Iterator[str]:
    """The configured database URL, or an embedded server's for the life of the block."""
    if settings.database_url:
        yield settings.database_url
        return
    server = EmbeddedPostgres(settings.data_dir)
    # A server whose users all ended without stopping it is news: a process was killed.
    (log.warning if server.how == "adopted" else log.info)(
        f"embedded_postgres_{server.how}", data_dir=str(settings.data_dir), pid=server.pid
    )
    try:
        yield server.url
    finally:
        if server.stop():
            log.info("embedded_postgres_stopped", pid=server.pid)
        else:
            log.info("embedded_postgres_left_running", pid=server.pid, reason="another process uses it")


def assemble(settings: Settings, database_url: str) -> Runtime:
    """The vault and the application over a database that is up (the caller closes the app)."""
    vault = Vault.from_setting(settings.id_key, settings.data_dir)
    app = Casework(database_url, db_timeout=settings.db_timeout)
    return Runtime(settings=settings, database_url=database_url, vault=vault, app=app)


@contextmanager
def running(settings: Settings) -> Iterator[Runtime]:
    """Everything a command of the CLI needs, stopped cleanly on the way out."""
    with database(settings) as url:
        runtime = assemble(settings, url)
        try:
            yield runtime
        finally:
            runtime.app.close()
