"""Purging expired Idempotency-Keys, now and then, beside the projections."""

from __future__ import annotations

import threading

import psycopg
import structlog
from psycopg.sql import SQL, Identifier

from casework.store import IDEMPOTENCY_TABLE

log = structlog.get_logger("casework.projections")


def purge_expired_keys(database_url: str, ttl_hours: float) -> int:
    """Delete the Idempotency-Keys older than ``ttl_hours``; how many went."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        if conn.execute("SELECT to_regclass(%s)", (IDEMPOTENCY_TABLE,)).fetchone() == (None,):
            return 0
        deleted = conn.execute(
            SQL("DELETE FROM {} WHERE created_at < now() - make_interval(secs => %s)").format(
                Identifier(IDEMPOTENCY_TABLE)
            ),
            (ttl_hours * 3600,),
        )
        return deleted.rowcount


class KeyPurger(threading.Thread):
    """Purges expired Idempotency-Keys now and then (one DELETE; harmless when twins run it)."""

    def __init__(self, database_url: str, ttl_hours: float, every: float = 600.0) -> None:
        super().__init__(name="idempotency-purger", daemon=True)
        self.database_url = database_url
        self.ttl_hours = ttl_hours
        self.every = every
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                purged = purge_expired_keys(self.database_url, self.ttl_hours)
                if purged:
                    log.info("idempotency_keys_purged", keys=purged)
            except psycopg.Error as error:
                log.warning("idempotency_purge_failed", error=str(error))
            self.stopping.wait(self.every)
