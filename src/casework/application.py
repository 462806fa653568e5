"""The casework application: load a studio, decide, save. The only module touching the store."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, cast
from uuid import UUID

import structlog
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Transcoder
from eventsourcing.utils import get_topic
from psycopg.sql import SQL, Identifier

from casework.clock import Clock, business_date, utc_now
from casework.domain.commands import PaySubsidy, SetSubsidyStandard, StudioCommand
from casework.domain.decide import Circumstances, decide, subsidy_standard
from casework.domain.errors import StateConflict, StudioNotFound
from casework.domain.events import Event, Logged, SubsidyStandardSet
from casework.domain.permissions import Actor, authorize, require_role
from casework.domain.policy import MEASURES, PolicyTable
from casework.domain.state import Studio, evolve
from casework.domain.uniqueness import claims_of
from casework.embedded import connection_params
from casework.store import (
    CaseworkRecorder,
    ClaimTaken,
    Envelope,
    LeaseLost,
    Metadata,
    MsgspecMapper,
    NullTranscoder,
    RequestKey,
)

log = structlog.get_logger("casework.application")


class StaleVersion(StateConflict):
    """The client's If-Match names a version the studio has moved past."""

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__("version_mismatch", f"the studio is at version {actual}, not {expected}")
        self.expected = expected
        self.actual = actual


class KeyTakenOver(StateConflict):
    """The request's Idempotency-Key was taken over by a retry; this one recorded nothing."""

    def __init__(self) -> None:
        super().__init__(
            "idempotency_key_in_flux",
            "a retry with this Idempotency-Key is answering it; nothing was recorded here",
        )


class EditConflict(StateConflict):
    def __init__(self) -> None:
        super().__init__(
            "edit_conflict", "a concurrent change to the studio won, and the retry could not apply"
        )


@dataclass(frozen=True)
class Context:
    """Who asks, and the ids that tie their request to its events and logs."""

    actor: Actor
    correlation_id: str
    request_id: str
    # The Idempotency-Key this request holds: its events name it in their transaction.
    idempotency: RequestKey | None = None


@dataclass(frozen=True)
class Outcome:
    """A command's result: the studio after it, its new events, and their log positions."""

    studio: Studio
    events: list[Event]
    positions: list[int]


def project(initial: Studio | None, envelopes: Iterable[Envelope]) -> Studio | None:
    """Fold stored envelopes onto a state (the repository's projector function)."""
    state = initial
    for envelope in envelopes:
        if isinstance(envelope.event, SubsidyStandardSet):
            return None  # the standards' stream: no studio's
        state = evolve(state, envelope.event, envelope.originator_id)
    return state


# The stream of the subsidy standards (第六条(一)): not a studio, one stream for the city.
STANDARDS_STREAM = uuid.uuid5(uuid.NAMESPACE_URL, "casework:subsidy-standards")


_CLAIM_CONFLICTS = {
    "master": (
        "master_already_active",
        "the master already leads a studio that is not declined, withdrawn or revoked "
        "(第四条; one active studio per master is a policy choice)",
    ),
    "voucher": ("duplicate_voucher", "the voucher number is already used, on some studio (第六条(一))"),
}


class Casework(Application[UUID]):
    """Use cases on studios: every command is load, authorise, decide, save."""

    name = "casework"
    env: ClassVar[dict[str, str]] = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "MAPPER_TOPIC": get_topic(MsgspecMapper),
        "APPLICATION_RECORDER_TOPIC": get_topic(CaseworkRecorder),
        "CREATE_TABLE": "y",
        "POSTGRES_POOL_SIZE": "4",
        "POSTGRES_MAX_OVERFLOW": "8",
        "POSTGRES_PRE_PING": "y",
    }

    def __init__(
        self,
        database_url: str,
        *,
        clock: Clock = utc_now,
        env: Mapping[str, str] | None = None,
        policies: PolicyTable = MEASURES,
        db_timeout: float = 5.0,
    ) -> None:
        params = connection_params(database_url)
        settings = {
            "POSTGRES_DBNAME": params["dbname"],
            "POSTGRES_HOST": params["host"],
            "POSTGRES_PORT": params["port"],
            "POSTGRES_USER": params["user"],
            "POSTGRES_PASSWORD": params["password"],
            # How long a command waits for a connection of the store's pool before it fails
            # (503): the library's default is 30 s. Whole seconds, as the library reads it.
            "POSTGRES_CONNECT_TIMEOUT": str(max(1, math.ceil(db_timeout))),
            **(env or {}),
        }
        super().__init__(settings)
        self.clock = clock
        self.policies = policies

    def today(self) -> dt.date:
        """Today's business date, in Asia/Shanghai, by the application's one clock."""
        return business_date(self.clock())

    def construct_transcoder(self) -> Transcoder:
        return NullTranscoder()

    @property
    def store(self) -> CaseworkRecorder:
        return cast(CaseworkRecorder, self.recorder)

    def load(self, studio_id: UUID, version: int | None = None) -> Studio | None:
        """The studio as its events say (at ``version`` if given), or None."""
        try:
            studio: Studio = self.repository.get(studio_id, version=version, projector_func=project)
            return studio
        except AggregateNotFoundError:
            return None

    def studio(self, studio_id: UUID, actor: Actor, version: int | None = None) -> Studio:
        """The studio, if it exists and the actor may see it."""
        state = self.load(studio_id, version)
        if state is None or not actor.sees(state):
            raise StudioNotFound(studio_id) from None
        return state

    def history(self, studio_id: UUID) -> list[Envelope]:
        """Every stored event of the studio, in order, exactly as recorded."""
        return cast(list[Envelope], list(self.events.get(studio_id)))

    def new_case_no(self, on: dt.date) -> str:
        """A case number for a new application: 温技室 + year + running number."""
        return f"WZJDS-{on.year}-{self.store.next_case_number():06d}"

    def execute(
        self,
        command: StudioCommand,
        context: Context,
        *,
        expected_version: int | None = None,
    ) -> Outcome:
        """Decide the command on the current studio and record its events atomically.

        A concurrent writer of the same studio makes the save fail on its version; the
        decision is then retried once on the new state.
        """
        for attempt in (1, 2):
            state = self.load(command.studio_id)
            today = self.today()
            policy = self.policies.on(command.effective_on or today)
            authorize(context.actor, command, state, policy)
            version = state.version if state else 0
            if expected_version is not None and expected_version != version:
                raise StaleVersion(expected_version, version)
            circumstances = Circumstances(
                today=today,
                policies=self.policies,
                # Only an apprenticeship payment reads them: no other command pays the query.
                standards=self.subsidy_standards() if isinstance(command, PaySubsidy) else (),
            )
            events = decide(command, state, circumstances)
            envelopes = self._envelopes(command.studio_id, command.effective_on, context, version, events)
            claims = claims_of(command.studio_id, state, events, policy)
            try:
                recordings = self.save(*envelopes, claims=claims, request=context.idempotency)
            except LeaseLost:
                raise KeyTakenOver from None
            except ClaimTaken as taken:
                code, message = _CLAIM_CONFLICTS[taken.kind]
                raise StateConflict(code, message) from None
            except IntegrityError:
                # Only the (studio, version) key can clash now: a concurrent writer won.
                log.info("edit_conflict", studio_id=str(command.studio_id), attempt=attempt)
                continue
            for event in events:
                state = evolve(state, event, command.studio_id)
            assert state is not None
            log.info(
                "recorded",
                studio_id=str(command.studio_id),
                events=[type(e).__name__ for e in events],
                version=state.version,
                actor=context.actor.subject,
                role=context.actor.role,
                correlation_id=context.correlation_id,
                request_id=context.request_id,
            )
            positions = [r.notification.id for r in recordings]
            return Outcome(studio=state, events=events, positions=positions)
        raise EditConflict

    def outcome_of(
        self, stream: UUID, first_version: int, last_version: int
    ) -> tuple[Studio | None, list[Logged], list[int]]:
        """What a recorded command did, read back from the store: the studio after it (None
        for the standards' stream), its events and their positions (how an answer is given
        again after a crash)."""
        envelopes = [e for e in self.history(stream) if first_version <= e.originator_version <= last_version]
        studio = self.load(stream, last_version)
        with self.store.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                SQL(
                    "SELECT notification_id FROM {events} WHERE originator_id = %s "
                    "AND originator_version BETWEEN %s AND %s ORDER BY originator_version"
                ).format(events=Identifier(self.store.events_table_name)),
                (stream, first_version, last_version),
            )
            positions = [int(row["notification_id"]) for row in curs.fetchall()]
        return studio, [e.event for e in envelopes], positions

    def subsidy_standards(self) -> tuple[SubsidyStandardSet, ...]:
        """Every apprenticeship subsidy standard recorded, oldest first."""
        return tuple(
            e.event
            for e in cast(list[Envelope], list(self.events.get(STANDARDS_STREAM)))
            if isinstance(e.event, SubsidyStandardSet)
        )

    def set_subsidy_standard(
        self, command: SetSubsidyStandard, context: Context
    ) -> tuple[SubsidyStandardSet, int]:
        """Record a subsidy standard in its own stream; the standard and its log position."""
        require_role(context.actor, SetSubsidyStandard)
        for _ in (1, 2):
            standards = self.subsidy_standards()
            standard = subsidy_standard(command, standards, self.today())
            envelopes = self._envelopes(
                STANDARDS_STREAM, command.in_force_from, context, len(standards), [standard]
            )
            try:
                recordings = self.save(*envelopes, request=context.idempotency)
            except LeaseLost:
                raise KeyTakenOver from None
            except IntegrityError:
                continue  # another standard was recorded meanwhile: judge again against it
            log.info(
                "recorded",
                stream="subsidy-standards",
                in_force_from=str(command.in_force_from),
                actor=context.actor.subject,
                request_id=context.request_id,
            )
            return standard, recordings[-1].notification.id
        raise EditConflict

    def _envelopes(
        self,
        stream: UUID,
        effective_on: dt.date | None,
        context: Context,
        version: int,
        events: Sequence[Logged],
    ) -> list[Envelope]:
        recorded_at = self.clock()
        meta = Metadata(
            actor=context.actor.subject,
            role=context.actor.role,
            correlation_id=context.correlation_id,
            request_id=context.request_id,
            effective_on=effective_on or business_date(recorded_at),
            recorded_at=recorded_at,
        )
        return [
            Envelope(
                originator_id=stream,
                originator_version=version + i,
                meta=meta,
                event=event,
            )
            for i, event in enumerate(events, start=1)
        ]

    def close(self) -> None:
        """Release the connection pool."""
        self.store.datastore.close()

    def __enter__(self) -> Casework:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
