"""The answers of the records and finance queries (msgspec Structs), field by field.

These handlers encode their answers from database rows and stored reports (dicts), not
from Structs: the Structs below describe exactly that JSON, for the OpenAPI document and
for clients that decode it (``msgspec.json.decode(body, type=AuditPage)``). A change to
what a handler encodes must change its Struct here (tests/api/test_openapi.py decodes the
real answers with them).
"""

from __future__ import annotations

import datetime as dt
import typing
from typing import TYPE_CHECKING, Any, Literal
from uuid import UUID

import msgspec
from msgspec import Struct

from api.schemas.views import StudioView
from casework.bundles import Bundle
from casework.domain.events import Event
from casework.domain.rules import RectificationReason, SubsidyKind
from projections import rows
from projections.audit import AuditRow
from projections.ledger import LedgerRow

__all__ = [
    "AuditEntry",
    "AuditPage",
    "Balance",
    "Balances",
    "Bundle",
    "DueReport",
    "EvaluationDue",
    "History",
    "HistoryEvent",
    "IntegrityVerdict",
    "LedgerLine",
    "LedgerPage",
    "PastState",
    "Reconciliation",
    "RectificationDue",
    "StatusCount",
    "SubsidyTotal",
    "SummaryReport",
]


def answer_of(row: type[Struct], name: str, doc: str) -> type[Struct]:
    """The answer of a projection's row: its fields in its order, a sum in fen (``x_fen``,
    an integer) shown in yuan as ``x`` ("30000.00", negative for a credit)."""
    hints = typing.get_type_hints(row)
    fields: list[tuple[str, Any]] = [
        (shown, str if column.endswith(rows.FEN) else hints[column])
        for column, shown in zip(rows.columns(row), rows.shown(row), strict=True)
    ]
    return msgspec.defstruct(name, fields, module=__name__, namespace={"__doc__": doc})


# --- audit trail (GET /audit) ---------------------------------------------------------


if TYPE_CHECKING:
    AuditEntry = Struct  # to the type checker; made from projections.audit.AuditRow
else:
    AuditEntry = answer_of(AuditRow, "AuditEntry", "One recorded event, across all studios.")


class AuditPage(Struct):
    items: list[AuditEntry]
    next_cursor: str | None


# --- subsidy ledger (GET /ledger/entries, /ledger/balances) ---------------------------

if TYPE_CHECKING:
    LedgerLine = Struct  # to the type checker; made from projections.ledger.LedgerRow
else:
    LedgerLine = answer_of(
        LedgerRow, "LedgerLine", "One line of a double entry: debit positive, credit negative."
    )


class LedgerPage(Struct):
    items: list[LedgerLine]
    next_cursor: str | None


class Balance(Struct, kw_only=True):
    """One group's sums in yuan: its key fields are those of ``group_by`` only
    (studio: studio_id; host: host_credit_code and host_name; county: county)."""

    studio_id: UUID | msgspec.UnsetType = msgspec.UNSET
    host_credit_code: str | msgspec.UnsetType = msgspec.UNSET
    host_name: str | msgspec.UnsetType = msgspec.UNSET
    county: str | msgspec.UnsetType = msgspec.UNSET
    committed: str
    paid: str
    reversed: str
    released: str
    outstanding: str


class Balances(Struct):
    group_by: Literal["studio", "host", "county"]
    items: list[Balance]


# --- reports (GET /reports/due, /reports/summary) --------------------------------------


class EvaluationDue(Struct):
    id: UUID
    case_no: str
    name: str
    county: str
    status: str
    award_published_on: dt.date
    last_period: str | None  # None before the first evaluation
    due_on: dt.date
    overdue: bool


class RectificationDue(Struct):
    id: UUID
    case_no: str
    name: str
    county: str
    status: str
    rectification_reason: RectificationReason
    rectification_ordered_on: dt.date
    due_on: dt.date
    overdue: bool


class DueReport(Struct):
    today: dt.date
    within_days: int
    evaluations_due: list[EvaluationDue]
    rectification_deadlines: list[RectificationDue]


class StatusCount(Struct):
    county: str
    status: str
    studios: int


class SubsidyTotal(Struct):
    """A kind's sums in yuan, two places."""

    kind: SubsidyKind
    committed: str
    paid: str
    reversed: str
    released: str
    outstanding: str


class SummaryReport(Struct):
    counts_by_county_and_status: list[StatusCount]
    subsidy_totals: list[SubsidyTotal]


# --- a studio's history and past state (GET /studios/{id}/history, /state) -----------


class HistoryEvent(Struct):
    position: int
    version: int
    type: str  # the event's name, as ``data.type``
    recorded_at: dt.datetime
    effective_on: dt.date
    actor: str
    role: str
    correlation_id: str
    request_id: str
    data: Event  # the event exactly as recorded, tagged by ``type``
    hash: str  # hex: the studio's hash chain after this event


class History(Struct):
    studio_id: UUID
    items: list[HistoryEvent]


class PastState(Struct):
    as_of: dt.datetime | None  # as asked; None when asked by version
    version: int
    recorded_at: dt.datetime
    effective_on: dt.date
    studio: StudioView


# --- integrity (GET /integrity; the bundle is casework.bundles.Bundle) ---------------


class IntegrityVerdict(Struct):
    ok: bool
    events: int  # the leaves of the stored Merkle tree
    checkpoints: int  # the signed tree heads checked
    problem: str | None
    position: int | None  # where the first head or event found wrong stands, if any
    studio_id: UUID | None
    public_key: str  # base64, raw 32 bytes


# --- reconciliation of a treasury statement (POST/GET /reconciliations) -------------


class CategoryTotal(Struct):
    """A category's amounts in yuan, two places."""

    statement: str
    ledger: str


class ReconciliationTotals(Struct):
    matched: CategoryTotal
    amount_mismatch: CategoryTotal
    payee_mismatch: CategoryTotal
    missing_in_ledger: CategoryTotal
    missing_in_statement: CategoryTotal
    duplicate_in_statement: CategoryTotal


class ReconciliationSummary(Struct):
    """How many items each category holds, and their totals."""

    matched: int
    amount_mismatch: int
    payee_mismatch: int
    missing_in_ledger: int
    missing_in_statement: int
    duplicate_in_statement: int
    totals: ReconciliationTotals


class StatementItem(Struct):
    """A statement row with no standing payment to compare it with."""

    row: int  # as a clerk counts rows in the file: the header is row 1
    voucher_no: str
    statement_payee: str
    statement_amount: str  # yuan, two places
    statement_paid_on: dt.date


class LedgerItem(Struct):
    """A standing payment of the ledger that the statement does not show."""

    voucher_no: str
    studio_id: UUID
    ledger_payee: str
    ledger_amount: str  # yuan, two places
    ledger_paid_on: dt.date
    kind: SubsidyKind


class ComparedItem(Struct):
    """A statement row and the ledger's payment of the same voucher."""

    row: int
    voucher_no: str
    statement_payee: str
    statement_amount: str  # yuan, two places
    statement_paid_on: dt.date
    studio_id: UUID
    ledger_payee: str
    ledger_amount: str  # yuan, two places
    ledger_paid_on: dt.date
    kind: SubsidyKind


class ReconciliationItems(Struct):
    matched: list[ComparedItem]
    amount_mismatch: list[ComparedItem]
    payee_mismatch: list[ComparedItem]
    missing_in_ledger: list[StatementItem]
    missing_in_statement: list[LedgerItem]
    duplicate_in_statement: list[StatementItem]


class Reconciliation(Struct):
    """A stored reconciliation report (never changed)."""

    id: UUID
    created_at: dt.datetime
    created_by: str
    filename: str
    as_of: dt.date | None
    summary: ReconciliationSummary
    items: ReconciliationItems
