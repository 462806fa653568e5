"""How studio events are kept in eventsourcing's PostgreSQL event store.

Each stored event's state is the msgspec JSON of ``{"meta": ..., "data": ...}``: the
domain event (tagged by its type) and the metadata of the act. The cross-studio
claims of ``casework.domain.uniqueness`` are written by the recorder inside the same
transaction as the events, so a unique-key violation refuses both together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast
from uuid import UUID

import msgspec
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import get_topic
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier
from psycopg_pool.base import AttemptWithBackoff

from casework.domain.events import Logged, upcast
from casework.domain.uniqueness import Claim

# CREATE ... IF NOT EXISTS is not safe against a concurrent twin: every process that creates
# tables (API replicas, workers, prepare) does it under this one transaction-level lock.
SCHEMA_LOCK = "SELECT pg_advisory_xact_lock(hashtext('casework:schema'))"
# A different key: the session lock is held while transactions take SCHEMA_LOCK.
CREATE_LOCK = "SELECT pg_advisory_lock(hashtext('casework:schema-types'))"
CREATE_UNLOCK = "SELECT pg_advisory_unlock(hashtext('casework:schema-types'))"

# The store's pools reconnect after an outage by psycopg_pool's attempts, whose delay doubles
# from 1 s: writes came back up to 15 s after reads did (the API's pool reconnects on demand).
# A steady half second instead: writes recover as fast as reads, for two attempts a second.
AttemptWithBackoff.INITIAL_DELAY = 0.5
AttemptWithBackoff.DELAY_BACKOFF = 1.0

CLAIMS_TABLE = "casework_claims"
IDEMPOTENCY_TABLE = "casework_idempotency"
# Idempotency-Key: one row per (subject, key). ``owner`` is the request answering it now (it
# holds an advisory lock on the key while it does); the events a command records name their
# row's outcome in the same transaction (studio, versions, business date), so that an answer
# can always be given again from the store, whatever crashed when. ``status`` and ``body``
# keep an answer once given (a refusal records no events: its answer is all there is).
IDEMPOTENCY_DDL = (
    f"CREATE TABLE IF NOT EXISTS {IDEMPOTENCY_TABLE} ("
    "subject text NOT NULL, key text NOT NULL, request_hash text NOT NULL, status integer, "
    "headers jsonb, body bytea, created_at timestamptz NOT NULL DEFAULT now(), "
    "PRIMARY KEY (subject, key))",
    # Added in the release of 2026-11-30: tables of earlier releases lack them.
    f"ALTER TABLE {IDEMPOTENCY_TABLE} ADD COLUMN IF NOT EXISTS owner uuid, "
    "ADD COLUMN IF NOT EXISTS stream uuid, ADD COLUMN IF NOT EXISTS first_version integer, "
    "ADD COLUMN IF NOT EXISTS last_version integer, ADD COLUMN IF NOT EXISTS business_date date",
)
# The signed heads of the linear global chain of the releases before 2026-11-30: no longer
# written, still checked (casework.legacy_checkpoints); the tree's heads are TREE_HEADS_TABLE.
CHECKPOINTS_TABLE = "casework_checkpoints"
TREE_HEADS_TABLE = "casework_tree_heads"
# Positions an auditor's bundle needs signed: the projection worker signs them at once.
HEAD_REQUESTS_TABLE = "casework_head_requests"
CASE_NO_SEQUENCE = "casework_case_no_seq"


class Metadata(msgspec.Struct, frozen=True):
    """Who did it, on whose request, and when it took effect and was recorded."""

    actor: str
    role: str
    correlation_id: str
    request_id: str
    effective_on: dt.date
    recorded_at: dt.datetime


@dataclass(frozen=True)
class Envelope:
    """A domain event as the store sees it: placed in its studio's sequence."""

    originator_id: UUID
    originator_version: int
    meta: Metadata
    event: Logged


class _Stored(msgspec.Struct, frozen=True):
    meta: Metadata
    data: Logged


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(_Stored)


def encode_state(meta: Metadata, event: Logged) -> bytes:
    return _encoder.encode(_Stored(meta=meta, data=event))


def decode_state(state: bytes) -> tuple[Metadata, Logged]:
    """An event as stored, brought up to today's shape (``casework.domain.events.upcast``)."""
    stored = _decoder.decode(state)
    return stored.meta, upcast(stored.data)


class NullTranscoder(Transcoder):
    """The msgspec mapper encodes by itself; the library's transcoder is never used."""

    def encode(self, obj: Any) -> bytes:  # pragma: no cover - never called
        raise NotImplementedError

    def decode(self, data: bytes) -> Any:  # pragma: no cover - never called
        raise NotImplementedError


class MsgspecMapper(Mapper[UUID]):
    """Maps ``Envelope`` objects to stored events and back with msgspec."""

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        envelope = cast(Envelope, domain_event)
        return StoredEvent(
            originator_id=envelope.originator_id,
            originator_version=envelope.originator_version,
            topic=get_topic(type(envelope.event)),
            state=encode_state(envelope.meta, envelope.event),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        meta, event = decode_state(stored_event.state)
        originator_id = stored_event.originator_id
        return Envelope(
            originator_id=originator_id if isinstance(originator_id, UUID) else UUID(originator_id),
            originator_version=stored_event.originator_version,
            meta=meta,
            event=event,
        )


@dataclass(frozen=True)
class RequestKey:
    """The Idempotency-Key a command answers, and the request that holds it now."""

    subject: str
    key: str
    owner: UUID
    business_date: dt.date


class LeaseLost(Exception):
    """Another request took the Idempotency-Key over (this one was taken for dead): nothing
    was stored, so that the command is never recorded twice."""


class ClaimTaken(Exception):
    """A cross-studio claim (a master, a voucher) is held by another studio; nothing was stored."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"the {kind} claim is taken")
        self.kind = kind
        self.key = key


class CaseworkRecorder(PostgresApplicationRecorder):
    """The library's recorder, plus the claims table written in the same transaction."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schema = Identifier(self.datastore.schema)
        self.sql_create_statements.extend(
            [
                SQL(
                    "CREATE TABLE IF NOT EXISTS {schema}.{claims} ("
                    "kind text NOT NULL, key text NOT NULL, studio_id uuid NOT NULL, "
                    "PRIMARY KEY (kind, key))"
                ).format(schema=schema, claims=Identifier(CLAIMS_TABLE)),
                *(SQL(statement).format() for statement in IDEMPOTENCY_DDL),
                SQL("CREATE SEQUENCE IF NOT EXISTS {schema}.{seq}").format(
                    schema=schema, seq=Identifier(CASE_NO_SEQUENCE)
                ),
                # Signed checkpoints of the global hash chain (casework.integrity): kept beside
                # the events they vouch for, and never rebuilt.
                SQL(
                    "CREATE TABLE IF NOT EXISTS {schema}.{checkpoints} ("
                    "position bigint PRIMARY KEY, count bigint NOT NULL, head text NOT NULL, "
                    "signed_at timestamptz NOT NULL, signature text NOT NULL, public_key text NOT NULL)"
                ).format(schema=schema, checkpoints=Identifier(CHECKPOINTS_TABLE)),
                # Signed tree heads of the log's Merkle tree (casework.integrity): beside the
                # events they vouch for, never rebuilt; written by the projection worker only.
                SQL(
                    "CREATE TABLE IF NOT EXISTS {schema}.{heads} ("
                    "tree_size bigint PRIMARY KEY, position bigint NOT NULL, root_hash text NOT NULL, "
                    "signed_at timestamptz NOT NULL, signature text NOT NULL, public_key text NOT NULL)"
                ).format(schema=schema, heads=Identifier(TREE_HEADS_TABLE)),
                SQL("CREATE TABLE IF NOT EXISTS {schema}.{requests} (position bigint PRIMARY KEY)").format(
                    schema=schema, requests=Identifier(HEAD_REQUESTS_TABLE)
                ),
            ]
        )
        # ON CONFLICT DO NOTHING RETURNING: a taken key is told apart from every other failure
        # by an empty result, not by an error whose timing inside a pipeline can vary.
        self._claim_sql = SQL(
            "INSERT INTO {schema}.{claims} (kind, key, studio_id) VALUES (%s, %s, %s) "
            "ON CONFLICT (kind, key) DO NOTHING RETURNING key"
        ).format(schema=schema, claims=Identifier(CLAIMS_TABLE))
        self._release_sql = SQL(
            "DELETE FROM {schema}.{claims} WHERE kind = %s AND key = %s AND studio_id = %s"
        ).format(schema=schema, claims=Identifier(CLAIMS_TABLE))
        self._outcome_sql = SQL(
            "UPDATE {schema}.{keys} SET stream = %s, first_version = %s, last_version = %s, "
            "business_date = %s WHERE subject = %s AND key = %s AND owner = %s RETURNING key"
        ).format(schema=schema, keys=Identifier(IDEMPOTENCY_TABLE))
        self._next_case_sql = SQL("SELECT nextval('{schema}.{seq}') AS n").format(
            schema=schema, seq=Identifier(CASE_NO_SEQUENCE)
        )

    def create_table(self) -> None:
        # The library creates composite types in transactions of their own before the tables;
        # two processes doing so at once clash on pg_type. Hold a session lock around it all.
        with self.datastore.get_connection() as conn:
            conn.execute(CREATE_LOCK)
            try:
                super().create_table()
            finally:
                conn.execute(CREATE_UNLOCK)

    def _create_table(self, curs: Cursor[DictRow]) -> None:
        # Overridden (the library's hook for the statements of create_table) to take the schema
        # lock in the same transaction: a twin process creating the tables waits, not clashes.
        curs.execute(SCHEMA_LOCK)
        super()._create_table(curs)

    def _insert_events(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        *,
        claims: Sequence[Claim] = (),
        request: RequestKey | None = None,
        **kwargs: Any,
    ) -> None:
        # Overridden (the library's hook inside the transaction that stores the events) so that
        # the Idempotency-Key's outcome and the cross-studio claims are written with the events:
        # a lost lease or a taken claim rolls them all back together.
        if request is not None and stored_events:
            versions = [e.originator_version for e in stored_events]
            curs.execute(
                self._outcome_sql,
                (
                    stored_events[0].originator_id,
                    min(versions),
                    max(versions),
                    request.business_date,
                    request.subject,
                    request.key,
                    request.owner,
                ),
                prepare=True,
            )
            if curs.fetchone() is None:
                raise LeaseLost(request.key)
        for claim in claims:
            if claim.release:
                curs.execute(self._release_sql, (claim.kind, claim.key, claim.studio_id), prepare=True)
                continue
            curs.execute(self._claim_sql, (claim.kind, claim.key, claim.studio_id), prepare=True)
            if curs.fetchone() is None:
                # Another studio holds it (a concurrent holder's insert is waited for first).
                raise ClaimTaken(claim.kind, claim.key)
        super()._insert_events(curs, stored_events, **kwargs)

    def next_case_number(self) -> int:
        """The next number of the case register (gaps are harmless, repeats impossible)."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._next_case_sql)
            row = curs.fetchone()
            assert row is not None
            return int(row["n"])
