"""Events: what happened to a studio (past tense). Immutable once recorded.

The studio an event belongs to, its version, who acted and when it was recorded are
kept beside the event (the store's envelope), not inside it.

Stored events are forever. A field added after an event type was first recorded has a
default that says "recorded before this field existed" (None), and ``upcast`` below turns
such an old payload into today's shape where the old payload holds the answer; where it
does not, the reader of the field says what None means. tests/application/
test_stored_events.py folds a store written by the release of 2026-11-29.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from uuid import UUID

from msgspec import Struct
from msgspec.structs import replace

from casework.domain.ids import remask
from casework.domain.rules import (
    CertificateGrade,
    Grade,
    HonourLevel,
    RectificationReason,
    RevocationGround,
    SubsidyKind,
)
from casework.domain.values import Bonus, ItemScore, Proposal, ProposalChanges, ProtectedId


class StudioEvent(Struct, frozen=True, kw_only=True, tag=True):
    """Base of every event; the tag is the class name, stable across versions."""


class Submitted(StudioEvent, frozen=True, kw_only=True):
    proposal: Proposal
    case_no: str
    submitted_on: dt.date


class Returned(StudioEvent, frozen=True, kw_only=True):
    reviewer_unit: str
    opinion: str
    missing: tuple[str, ...]
    returned_on: dt.date


class Amended(StudioEvent, frozen=True, kw_only=True):
    changes: ProposalChanges
    amended_on: dt.date


class Withdrawn(StudioEvent, frozen=True, kw_only=True):
    reason: str
    withdrawn_on: dt.date


class CountyApproved(StudioEvent, frozen=True, kw_only=True):
    reviewer_unit: str
    opinion: str
    originals_verified: bool
    approved_on: dt.date


class CountyRejected(StudioEvent, frozen=True, kw_only=True):
    reviewer_unit: str
    opinion: str
    rejected_on: dt.date


class Assessed(StudioEvent, frozen=True, kw_only=True):
    panel: tuple[str, ...]
    opinion: str
    recommended: bool
    assessed_on: dt.date
    score: Decimal | None = None


class Awarded(StudioEvent, frozen=True, kw_only=True):
    decision_no: str
    published_on: dt.date
    plaque_no: str
    # The construction subsidy this award commits (0 for a county-level studio), as the
    # policy in force on the publication date fixed it. None: recorded before 2026-11-30,
    # when every city-level award committed 30,000.00 yuan.
    construction_subsidy_fen: int | None = None


class SubsidyPaid(StudioEvent, frozen=True, kw_only=True):
    kind: SubsidyKind
    amount_fen: int
    voucher_no: str
    paid_on: dt.date
    apprentice_id: UUID | None = None
    # For an apprenticeship subsidy: the grade paid for and the rate then in force.
    grade: str | None = None
    rate_fen: int | None = None


class SubsidyReversed(StudioEvent, frozen=True, kw_only=True):
    voucher_no: str
    amount_fen: int
    reason: str
    reversed_on: dt.date


class ApprenticeEnrolled(StudioEvent, frozen=True, kw_only=True):
    apprentice_id: UUID
    name: str
    id: ProtectedId
    # Read from the ID number, never typed in.
    born_on: dt.date
    # The 以师带徒 agreement: needed for the apprenticeship subsidy only; an apprentice
    # trained through another channel (第三条(二) 多渠道) has none.
    agreement_signed_on: dt.date | None = None
    # None only in payloads recorded before 2026-11-30, where enrolment was the agreement's
    # date: ``upcast`` fills it in.
    enrolled_on: dt.date | None = None


class ApprenticeQualified(StudioEvent, frozen=True, kw_only=True):
    apprentice_id: UUID
    grade: CertificateGrade
    certificate_no: str
    qualified_on: dt.date
    # Under the policy's age on the qualification date (青年, 第三条(二)), as decided when
    # recorded. None: recorded before 2026-11-30; the training duty then reads the age
    # from the birth date with the policy in force on the qualification date.
    young: bool | None = None


class Inspected(StudioEvent, frozen=True, kw_only=True):
    inspector: str
    findings: str
    inspected_on: dt.date


class Evaluated(StudioEvent, frozen=True, kw_only=True):
    period: str
    scores: dict[str, ItemScore]
    bonus: tuple[Bonus, ...]
    evaluated_on: dt.date
    # Computed by the decision from the sheet, never typed in.
    base: Decimal
    bonus_total: Decimal
    total: Decimal
    grade: Grade
    # Whether this evaluation ended an open rectification (a pass dated on or after the
    # order). None: recorded before 2026-11-30, when any pass while rectifying ended it.
    ends_rectification: bool | None = None


class RectificationOrdered(StudioEvent, frozen=True, kw_only=True):
    reason: RectificationReason
    findings: str
    ordered_on: dt.date
    deadline: dt.date


class RectificationReviewed(StudioEvent, frozen=True, kw_only=True):
    """The check after the deadline (经限期整改后, 第七条(四)3): passed ends the rectification."""

    reviewed_on: dt.date
    passed: bool
    findings: str
    score: Decimal | None = None


class HonourRecorded(StudioEvent, frozen=True, kw_only=True):
    """An honour of the master, a member or an apprentice (第六条(三)(五))."""

    honour_id: UUID
    # "master", "member-N" (the N-th member of the application) or an apprentice's id.
    person: str
    person_name: str
    honour: str
    level: HonourLevel
    conferred_on: dt.date
    document_no: str


class Revoked(StudioEvent, frozen=True, kw_only=True):
    ground: RevocationGround
    note: str
    decided_on: dt.date


class RecommendedToProvince(StudioEvent, frozen=True, kw_only=True):
    year: int
    note: str
    recommended_on: dt.date


class SubsidyStandardSet(Struct, frozen=True, kw_only=True, tag=True):
    """The apprenticeship subsidy standard from a date (第六条(一) 现有补助标准).

    Not a studio's event: it is kept in a stream of its own (casework.application)."""

    in_force_from: dt.date
    document_no: str
    # Yuan in fen per certificate grade; a grade not named is not paid for.
    rates_fen: dict[str, int]


Event = (
    Submitted
    | Returned
    | Amended
    | Withdrawn
    | CountyApproved
    | CountyRejected
    | Assessed
    | Awarded
    | SubsidyPaid
    | SubsidyReversed
    | ApprenticeEnrolled
    | ApprenticeQualified
    | Inspected
    | Evaluated
    | RectificationOrdered
    | RectificationReviewed
    | HonourRecorded
    | Revoked
    | RecommendedToProvince
)
# Everything the log holds: the studios' events and the policy's.
Logged = Event | SubsidyStandardSet

EVENT_TYPES: dict[str, type[StudioEvent]] = {
    cls.__name__: cls
    for cls in (
        Submitted,
        Returned,
        Amended,
        Withdrawn,
        CountyApproved,
        CountyRejected,
        Assessed,
        Awarded,
        SubsidyPaid,
        SubsidyReversed,
        ApprenticeEnrolled,
        ApprenticeQualified,
        Inspected,
        Evaluated,
        RectificationOrdered,
        RectificationReviewed,
        HonourRecorded,
        Revoked,
        RecommendedToProvince,
    )
}


def upcast(event: Logged) -> Logged:
    """An event as today's code reads it, whichever release recorded it."""
    if type(event) is ApprenticeEnrolled:
        if event.enrolled_on is None:
            # Before 2026-11-30 every apprentice was enrolled by signing the agreement.
            event = replace(event, enrolled_on=event.agreement_signed_on)
        return replace(event, id=_remasked(event.id)) if not event.id.masked.endswith("*") else event
    if type(event) is Submitted and not event.proposal.master.id.masked.endswith("*"):
        # Before 2026-11-30 the masked form showed the last four characters (ids.remask).
        return replace(event, proposal=_remasked_proposal(event.proposal))
    if type(event) is Amended and (event.changes.master is not None or event.changes.members is not None):
        changes = event.changes
        return replace(
            event,
            changes=replace(
                changes,
                master=replace(changes.master, id=_remasked(changes.master.id)) if changes.master else None,
                members=tuple(replace(m, id=_remasked(m.id)) for m in changes.members)
                if changes.members is not None
                else None,
            ),
        )
    return event


def _remasked(protected: ProtectedId) -> ProtectedId:
    masked = remask(protected.masked)
    return protected if masked == protected.masked else replace(protected, masked=masked)


def _remasked_proposal(proposal: Proposal) -> Proposal:
    return replace(
        proposal,
        master=replace(proposal.master, id=_remasked(proposal.master.id)),
        members=tuple(replace(m, id=_remasked(m.id)) for m in proposal.members),
    )
