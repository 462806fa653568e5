"""Request bodies (msgspec Structs): what a client may send, field by field, and the one
validator every body shares."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import Meta, Struct

from casework.domain import rules

# Characters that make a name read otherwise than it is stored: bidirectional overrides and
# isolates (U+202A-202E, U+2066-2069), and invisible ones (zero-width space, joiners, marks,
# word joiner, BOM). A "张三" with a hidden U+200B is another master to the uniqueness check.
_DECEPTIVE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
# Control characters other than tab, CR and LF: no clerk types one, and an export cannot hold
# some of them (a U+0001 in a host name made every later ledger.xlsx a 500).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# More members, materials or experts than an application ever holds: a list past it is refused.
MAX_ITEMS = 100


class Body(Struct, forbid_unknown_fields=True, kw_only=True):
    """Every request body refuses fields it does not know: a typo must not pass silently.

    And the one validator of every body's values: decimals are finite numbers ("NaN",
    "sNaN" and "Infinity" parse as Decimal, and break every sum they enter), and text holds
    no character that hides or reorders what is shown."""

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            for value in _values(getattr(self, name)):
                if isinstance(value, Decimal) and not value.is_finite():
                    raise ValueError(f"{name}: must be a finite number, not {value}")
                found = _DECEPTIVE.search(value) if isinstance(value, str) else None
                if found is not None:
                    raise ValueError(
                        f"{name}: bidirectional-override and zero-width characters are not allowed "
                        f"(U+{ord(found.group()):04X})"
                    )
                control = _CONTROL.search(value) if isinstance(value, str) else None
                if control is not None:
                    raise ValueError(
                        f"{name}: control characters are not allowed (U+{ord(control.group()):04X})"
                    )


def _values(value: Any) -> list[Any]:
    """A field's plain values: itself, or the items of a list or the keys and values of a dict
    (nested bodies check their own)."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [*value, *value.values()]
    return [value]


class MeritGroundIn(Body):
    kind: rules.MeritKind
    description: str


class MasterIn(Body):
    name: str
    id_number: str
    qualification: str | None = None
    unique_skills: bool = False
    grounds: Annotated[list[MeritGroundIn], Meta(max_length=10)] = msgspec.field(default_factory=list)


class HostIn(Body):
    kind: rules.HostKind
    name: str
    credit_code: str
    county: str
    education_fund_share_pct: Decimal | None = None
    commits_funding: bool = False
    commits_premises: bool = False
    commits_equipment: bool = False


class MemberIn(Body):
    name: str
    id_number: str
    qualification: str | None = None


class MaterialIn(Body):
    kind: rules.MaterialKind
    title: str
    sha256: str
    # The form comes in two copies (第五条(一)); a hundred is more paper than any application.
    copies: Annotated[int, Meta(ge=1, le=100)] = 1


class SubmissionIn(Body):
    level: rules.Level
    name: str
    occupation: str
    master: MasterIn
    host: HostIn
    members: Annotated[list[MemberIn], Meta(max_length=MAX_ITEMS)] = msgspec.field(default_factory=list)
    materials: Annotated[list[MaterialIn], Meta(max_length=MAX_ITEMS)] = msgspec.field(default_factory=list)
    plan: str = ""


class AmendmentIn(Body):
    level: rules.Level | None = None
    name: str | None = None
    occupation: str | None = None
    master: MasterIn | None = None
    host: HostIn | None = None
    members: Annotated[list[MemberIn], Meta(max_length=MAX_ITEMS)] | None = None
    materials: Annotated[list[MaterialIn], Meta(max_length=MAX_ITEMS)] | None = None
    plan: str | None = None


class WithdrawalIn(Body):
    reason: str


class CountyReviewIn(Body):
    decision: rules.ReviewDecision
    opinion: str
    originals_verified: bool = False
    missing: Annotated[list[str], Meta(max_length=MAX_ITEMS)] = msgspec.field(default_factory=list)


class AssessmentIn(Body):
    panel: Annotated[list[str], Meta(min_length=1, max_length=MAX_ITEMS)]
    opinion: str
    recommended: bool
    score: Decimal | None = None


class AwardIn(Body):
    decision_no: str
    published_on: dt.date
    plaque_no: str


class PaymentIn(Body):
    kind: rules.SubsidyKind
    amount: str
    voucher_no: str
    paid_on: dt.date
    apprentice_id: UUID | None = None


class ReversalIn(Body):
    voucher_no: str
    reason: str
    reversed_on: dt.date | None = None


class ApprenticeIn(Body):
    """The birth date is read from the ID number; the agreement is optional (多渠道)."""

    name: str
    id_number: str
    agreement_signed_on: dt.date | None = None
    # When the apprentice joined the studio: by default the agreement's date, or today.
    enrolled_on: dt.date | None = None


class QualificationIn(Body):
    grade: rules.CertificateGrade
    certificate_no: str
    qualified_on: dt.date


class InspectionIn(Body):
    inspector: str
    findings: str
    inspected_on: dt.date


class ScoreIn(Body):
    self_score: Decimal = msgspec.field(name="self")
    assessed: Decimal


class BonusIn(Body):
    kind: rules.BonusKind
    points: Decimal
    note: str = ""


class EvaluationIn(Body):
    period: str
    scores: dict[str, ScoreIn]
    evaluated_on: dt.date
    bonus: Annotated[list[BonusIn], Meta(max_length=10)] = msgspec.field(default_factory=list)


class RectificationIn(Body):
    reason: rules.RectificationReason
    findings: str
    ordered_on: dt.date
    deadline: dt.date


class RectificationReviewIn(Body):
    reviewed_on: dt.date
    passed: bool
    findings: str
    score: Decimal | None = None


class HonourIn(Body):
    person: str
    honour: str
    level: rules.HonourLevel
    conferred_on: dt.date
    document_no: str


class SubsidyStandardIn(Body):
    in_force_from: dt.date
    document_no: str
    rates: dict[str, str]


class RevocationIn(Body):
    ground: rules.RevocationGround
    note: str
    decided_on: dt.date


class RecommendationIn(Body):
    year: Annotated[int, Meta(ge=2013, le=9999)]
    note: str = ""
