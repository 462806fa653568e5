"""The subsidy ledger (第六条): commitments, payments, reversals, in double entry.

Accounts: ``commitments`` (what the city has committed), ``payable`` (owed to studios),
``treasury`` (paid out). Awarding a city-level studio commits 30,000.00; a payment settles
the payable; a reversal restores it; revoking a studio releases what was never paid.
An apprenticeship subsidy is committed and paid in the same act.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal
from uuid import UUID

import msgspec
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.types.json import Jsonb

from casework.domain.decide.award import committed_fen
from casework.domain.events import (
    Amended,
    Awarded,
    Logged,
    Revoked,
    Submitted,
    SubsidyPaid,
    SubsidyReversed,
)
from casework.domain.rules import SubsidyKind
from projections import rows
from projections.base import Builder, Item, Projection, Sink, copy_lines, table

LedgerEntry = Literal["commitment", "payment", "reversal", "release"]
LedgerAccount = Literal["commitments", "payable", "treasury"]
# One entry of an event: the subsidy, the entry, the amount in fen and the voucher (if any).
Entry = tuple[SubsidyKind, LedgerEntry, int, str | None]


class LedgerRow(msgspec.Struct):
    """A row of ledger_lines: one line of a double entry, debit positive, credit negative."""

    position: int
    line: int
    studio_id: UUID
    county: str
    host_credit_code: str
    host_name: str
    kind: SubsidyKind
    entry: LedgerEntry
    account: LedgerAccount
    amount_fen: int  # shown in yuan, two places, as amount
    voucher_no: str | None
    effective_on: dt.date
    recorded_at: dt.datetime


class LedgerStudioRow(msgspec.Struct):
    """A row of ledger_studios: what the ledger needs to know of a studio to post its lines."""

    studio_id: UUID
    level: str
    county: str
    host_credit_code: str
    host_name: str
    construction_outstanding: int
    vouchers: Jsonb  # voucher -> kind of each payment, for reversals (which name only the voucher)
    revoked: bool


COLUMNS = rows.columns(LedgerRow)
STUDIO_COLUMNS = rows.columns(LedgerStudioRow)

# Each entry is a debit and a credit of the same amount.
POSTINGS: dict[LedgerEntry, tuple[LedgerAccount, LedgerAccount]] = {
    "commitment": ("commitments", "payable"),
    "payment": ("payable", "treasury"),
    "reversal": ("treasury", "payable"),
    "release": ("payable", "commitments"),
}


@dataclass
class Account:
    """What the ledger keeps of one studio between batches."""

    level: str
    county: str
    host_credit_code: str
    host_name: str
    construction_outstanding: int = 0
    vouchers: dict[str, SubsidyKind] = field(default_factory=dict)
    revoked: bool = False
    changed: bool = False


class Ledger(Projection):
    name = "ledger"
    tables = ("ledger_lines", "ledger_studios")

    def apply(self, curs: Cursor[DictRow], items: Sequence[Item], generation: int) -> None:
        studios_table = table("ledger_studios", generation)
        ids = list({i.studio_id for i in items if not isinstance(i.event, Submitted)})
        accounts: dict[UUID, Account] = {}
        if ids:
            curs.execute(
                f"SELECT studio_id, level, county, host_credit_code, host_name, "  # noqa: S608
                f"construction_outstanding, vouchers, revoked FROM {studios_table} "
                "WHERE studio_id = ANY(%s)",
                (ids,),
            )
            for r in curs.fetchall():
                accounts[r["studio_id"]] = Account(
                    level=r["level"],
                    county=r["county"],
                    host_credit_code=r["host_credit_code"],
                    host_name=r["host_name"],
                    construction_outstanding=r["construction_outstanding"],
                    vouchers=dict(r["vouchers"]),
                    revoked=r["revoked"],
                )
        lines: list[LedgerRow] = []
        for item in items:
            post(item, accounts, lines)
        copy_lines(curs, table("ledger_lines", generation), COLUMNS, [rows.line(line) for line in lines])
        changed = [rows.values(account_row(sid, a)) for sid, a in accounts.items() if a.changed]
        if changed:
            curs.executemany(rows.upsert(studios_table, LedgerStudioRow), changed)

    def builder(self, generation: int) -> Builder:
        return LedgerBuilder(generation)


class LedgerBuilder(Builder):
    """The ledger from the first event: every studio's account kept in memory until the end."""

    def __init__(self, generation: int) -> None:
        self.generation = generation
        self.accounts: dict[UUID, Account] = {}

    def feed(self, items: Sequence[Item], sink: Sink) -> None:
        lines: list[LedgerRow] = []
        for item in items:
            post(item, self.accounts, lines)
        sink.rows(table("ledger_lines", self.generation), COLUMNS, [rows.line(line) for line in lines])

    def finish(self, sink: Sink) -> None:
        studios = [rows.line(account_row(sid, a)) for sid, a in self.accounts.items()]
        sink.rows(table("ledger_studios", self.generation), STUDIO_COLUMNS, studios)


def account_row(studio_id: UUID, a: Account) -> LedgerStudioRow:
    """A studio's row of ledger_studios."""
    return LedgerStudioRow(
        studio_id, a.level, a.county, a.host_credit_code, a.host_name, a.construction_outstanding,
        Jsonb(a.vouchers), a.revoked,
    )  # fmt: skip


def post(item: Item, accounts: dict[UUID, Account], lines: list[LedgerRow]) -> None:
    """Post an event's entries to ``lines`` (two per entry), keeping each studio's account."""
    event = item.event
    if isinstance(event, Submitted):
        host = event.proposal.host
        accounts[item.studio_id] = Account(
            level=event.proposal.level,
            county=host.county,
            host_credit_code=host.credit_code,
            host_name=host.name,
            changed=True,
        )
        return
    account = accounts.get(item.studio_id)
    if account is None:
        return
    entries = entries_of(event, account)
    if entries:
        account.changed = True
    _write_lines(item, account, entries, lines)


def entries_of(event: Logged, account: Account) -> list[Entry]:
    """The entries an event makes on a studio's account (kind, entry, amount in fen, voucher),
    keeping the account up to date."""
    entries: list[Entry] = []
    match event:
        case Amended(changes=changes):
            if changes.level is not None:
                account.level = changes.level
            if changes.host is not None:
                account.county = changes.host.county
                account.host_credit_code = changes.host.credit_code
                account.host_name = changes.host.name
            account.changed = True
        case Awarded(construction_subsidy_fen=recorded) if committed_fen(recorded, account.level):
            fen = committed_fen(recorded, account.level)
            entries.append(("construction", "commitment", fen, None))
            account.construction_outstanding += fen
        case SubsidyPaid(kind=paid_kind, amount_fen=fen, voucher_no=voucher):
            if paid_kind == "apprenticeship":
                entries.append((paid_kind, "commitment", fen, voucher))
            else:
                account.construction_outstanding -= fen
            entries.append((paid_kind, "payment", fen, voucher))
            account.vouchers[voucher] = paid_kind
        case SubsidyReversed(amount_fen=fen, voucher_no=voucher):
            reversed_kind = account.vouchers.get(voucher, "construction")
            entries.append((reversed_kind, "reversal", fen, voucher))
            if account.revoked:
                # Money returned by a revoked studio is owed to nobody: release it.
                entries.append((reversed_kind, "release", fen, voucher))
            elif reversed_kind == "construction":
                account.construction_outstanding += fen
        case Revoked():
            account.revoked = True
            account.changed = True
            if account.construction_outstanding > 0:
                entries.append(("construction", "release", account.construction_outstanding, None))
                account.construction_outstanding = 0
        case _:
            pass
    return entries


def _write_lines(item: Item, account: Account, entries: list[Entry], lines: list[LedgerRow]) -> None:
    """Each entry as two lines, its debit and its credit, numbered within the event."""
    line = 0
    for kind, entry, amount_fen, entry_voucher in entries:
        debit, credit = POSTINGS[entry]
        for acct, amount in ((debit, amount_fen), (credit, -amount_fen)):
            lines.append(
                LedgerRow(
                    item.position, line, item.studio_id, account.county, account.host_credit_code,
                    account.host_name, kind, entry, acct, amount, entry_voucher,
                    item.meta.effective_on, item.meta.recorded_at,
                )
            )  # fmt: skip
            line += 1


GROUPS = {
    "studio": ("studio_id",),
    "host": ("host_credit_code", "host_name"),
    "county": ("county",),
}


def balances_sql(group_by: str) -> str:
    """Committed, paid, reversed, released and outstanding per studio, host or county."""
    keys = ", ".join(GROUPS[group_by])
    return (
        f"SELECT {keys}, "  # noqa: S608 - keys come from GROUPS only
        "coalesce(sum(amount_fen) FILTER (WHERE entry = 'commitment' AND account = 'commitments'), 0) "
        "AS committed_fen, "
        "coalesce(sum(amount_fen) FILTER (WHERE entry = 'payment' AND account = 'payable'), 0) AS paid_fen, "
        "coalesce(sum(amount_fen) FILTER (WHERE entry = 'reversal' AND account = 'treasury'), 0) "
        "AS reversed_fen, "
        "coalesce(sum(amount_fen) FILTER (WHERE entry = 'release' AND account = 'payable'), 0) "
        "AS released_fen, "
        "coalesce(-sum(amount_fen) FILTER (WHERE account = 'payable'), 0) AS outstanding_fen "
        f"FROM ledger_lines GROUP BY {keys} ORDER BY {keys}"
    )
