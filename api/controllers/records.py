"""Audit trail, subsidy ledger, reports, and a studio's history and past states.

The handlers read through the query modules (api/queries): they parse, authorise and answer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import anyio.to_thread
from litestar import Controller, Request, Response, get
from msgspec.structs import asdict

from api import answers as a
from api import exports
from api import schemas as s
from api.access import require
from api.controllers.common import (
    api_state,
    decode_cursor,
    documented,
    encode_cursor,
    json_response,
    limit_of,
    studio_uuid,
)
from api.errors import ProblemError
from api.queries import audit, ledger, pages, reports
from api.queries.history import history_items, state_then, stored_history
from casework.clock import business_date
from casework.domain.permissions import Actor
from projections.register import row

_CSV_TOO = exports.CSV_TOO
_CSV_XLSX_TOO = exports.CSV_XLSX_TOO
_SPREADSHEETS = ("text/csv", exports.XLSX)


def _labelled(label: str, columns: tuple[str, ...]) -> exports.Cells:
    """Cells of a report's row, after the name of the report it comes from."""
    cells = exports.by_name(columns)
    return lambda record: [label, *cells(record)]


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]  # noqa: RUF012

    @get(
        "/",
        operation_id="list_audit",
        responses=documented(200, a.AuditPage, command=False, description=_CSV_XLSX_TOO),
    )
    async def audit(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        studio_id: str | None = None,
        actor_name: str | None = None,
        role: str | None = None,
        type: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Response[Any]:
        """The audit trail across studios (CSV or XLSX too)."""
        require(actor, "list_audit")
        api = api_state(request)
        # The contract names the filter ``actor``; the parameter is read from the query string by hand
        # because ``actor`` is the authenticated user here.
        who = request.query_params.get("actor", actor_name)
        wanted = audit.AuditFilter(
            studio_id=studio_uuid(studio_id) if studio_id else None,
            actor=who,
            role=role,
            type=type,
            since=since,
            until=until,
        )
        media, after = _read_as(request, cursor, audit.KEY)
        read = audit.audit_listing(wanted, after)
        return await _answer(api, read, media, limit, ("audit", audit.COLUMNS))


class LedgerController(Controller):
    path = "/api/v1/ledger"
    tags = ["ledger"]  # noqa: RUF012

    @get(
        "/entries",
        operation_id="list_ledger_entries",
        responses=documented(200, a.LedgerPage, command=False, description=_CSV_XLSX_TOO),
    )
    async def entries(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        studio_id: str | None = None,
        county: str | None = None,
        kind: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Response[Any]:
        """Ledger lines: commitments, payments, reversals and releases, in double entry (CSV or XLSX too)."""
        require(actor, "list_ledger_entries")
        api = api_state(request)
        wanted = ledger.LedgerFilter(
            studio_id=studio_uuid(studio_id) if studio_id else None,
            county=county,
            kind=kind,
            since=since,
            until=until,
        )
        media, after = _read_as(request, cursor, ledger.KEY)
        read = ledger.entries_listing(wanted, after)
        return await _answer(api, read, media, limit, ("ledger", ledger.COLUMNS), ledger.MONEY)

    @get(
        "/balances",
        operation_id="get_ledger_balances",
        responses=documented(200, a.Balances, problems=(401, 403, 422, 503), description=_CSV_TOO),
    )
    async def balances(
        self, request: Request[Any, Any, Any], actor: Actor, group_by: str = "studio"
    ) -> Response[Any]:
        """Committed, paid, reversed, released and outstanding per studio, host or county."""
        require(actor, "get_ledger_balances")
        if group_by not in ledger.GROUPS:
            raise ProblemError(422, "validation_failed", "group_by: one of studio, host, county")
        db = api_state(request).db
        if media := exports.wanted(request.headers.get("accept", "")):
            columns = ledger.balance_columns(group_by)
            query = exports.Query(ledger.balances_sql(group_by), exports.by_name(columns, money=ledger.SUMS))
            export = exports.Export(f"balances-by-{group_by}", columns, [query])
            return await exports.stream(db, export, media)
        items = await ledger.balances(db, group_by)
        return json_response({"group_by": group_by, "items": items})


class ReportController(Controller):
    path = "/api/v1/reports"
    tags = ["reports"]  # noqa: RUF012

    @get(
        "/due",
        operation_id="get_due_report",
        responses=documented(200, a.DueReport, problems=(401, 403, 422, 503), description=_CSV_TOO),
    )
    async def due(
        self, request: Request[Any, Any, Any], actor: Actor, within_days: int = 60
    ) -> Response[Any]:
        """Evaluations and rectification deadlines due within N days, and those overdue."""
        require(actor, "get_due_report")
        if not 0 <= within_days <= 3660:
            raise ProblemError(422, "validation_failed", "within_days: between 0 and 3660")
        api = api_state(request)
        today = api.today()
        if media := exports.wanted(request.headers.get("accept", "")):
            columns = reports.DUE_COLUMNS
            sql, params = reports.due_queries(actor, today, within_days)
            parts = [exports.Query(q, _labelled(name, columns[1:]), params) for name, q in sql.items()]
            return await exports.stream(api.db, exports.Export("due", columns, parts), media)
        result = await reports.due(api.db, actor, today, within_days)
        return json_response({"today": today, "within_days": within_days, **result})

    @get(
        "/summary",
        operation_id="get_summary_report",
        responses=documented(200, a.SummaryReport, problems=(401, 403, 503), description=_CSV_TOO),
    )
    async def summary(self, request: Request[Any, Any, Any], actor: Actor) -> Response[Any]:
        """Counts by county × status, and subsidy totals."""
        require(actor, "get_summary_report")
        api = api_state(request)
        if media := exports.wanted(request.headers.get("accept", "")):
            columns = reports.COUNTS_COLUMNS
            query = exports.Query(reports.COUNTS_BY_COUNTY_AND_STATUS, exports.by_name(columns))
            return await exports.stream(api.db, exports.Export("summary", columns, [query]), media)
        return json_response(await reports.summary(api.db))


class HistoryController(Controller):
    path = "/api/v1/studios/{studio_id:str}"
    tags = ["audit"]  # noqa: RUF012

    @get(
        "/history",
        operation_id="get_history",
        responses=documented(200, a.History, problems=(401, 403, 404, 503)),
    )
    async def history(self, request: Request[Any, Any, Any], actor: Actor, studio_id: str) -> Response[bytes]:
        """Every event of the studio in order, exactly as recorded (read from the event store)."""
        require(actor, "get_history")
        api = api_state(request)
        sid = studio_uuid(studio_id)
        history = await anyio.to_thread.run_sync(stored_history, api.app, sid)
        if not history.envelopes:
            raise ProblemError(404, "not_found", "no such studio, or not one of yours")
        return json_response({"studio_id": sid, "items": history_items(history)})

    @get(
        "/state",
        operation_id="get_state",
        responses=documented(200, a.PastState, command=False),
    )
    async def state(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        studio_id: str,
        as_of: dt.datetime | None = None,
        version: int | None = None,
    ) -> Response[bytes]:
        """The studio as it stood at a recorded time (``as_of``) or after a version."""
        require(actor, "get_state")
        if (as_of is None) == (version is None):
            raise ProblemError(422, "validation_failed", "give exactly one of as_of or version")
        if as_of is not None and as_of.tzinfo is None:
            raise ProblemError(422, "validation_failed", "as_of: a timestamp with its zone (RFC 3339)")
        api = api_state(request)
        sid = studio_uuid(studio_id)
        history = await anyio.to_thread.run_sync(stored_history, api.app, sid)
        if not history.envelopes:
            raise ProblemError(404, "not_found", "no such studio, or not one of yours")
        then = state_then(history, as_of, version)
        if then is None:
            raise ProblemError(404, "not_found", "the studio did not exist then")
        studio, last = then
        values = row(studio, history.positions.get(last.originator_version, 0), last.meta.recorded_at)
        today = business_date(as_of) if as_of else api.today()
        view = s.studio_view(asdict(values), today, api.app.policies)
        return json_response(
            {
                "as_of": as_of,
                "version": studio.version,
                "recorded_at": last.meta.recorded_at,
                "effective_on": last.meta.effective_on,
                "studio": view,
            }
        )


def _read_as(
    request: Request[Any, Any, Any], cursor: str | None, key: tuple[str, ...]
) -> tuple[str | None, list[Any] | None]:
    """The spreadsheet asked for (None: a JSON page), and the key the page starts after (a
    download is the whole of the filter: its cursor is checked, then left aside)."""
    media = exports.wanted(request.headers.get("accept", ""), _SPREADSHEETS)
    after = decode_cursor(cursor, [pages.position] * len(key))
    return media, after if media is None else None


async def _answer(
    api: Any,
    read: pages.Listing,
    media: str | None,
    limit: int,
    export: tuple[str, tuple[str, ...]],
    money: tuple[str, ...] = (),
) -> Response[Any]:
    """A page of a listing in JSON, or the whole of it as a CSV or XLSX download (``export``:
    its name and columns)."""
    if media is not None:
        name, columns = export
        query = exports.Query(read.sql, exports.by_name(columns, money), read.params)
        return await exports.stream(api.db, exports.Export(name, columns, [query]), media)
    items, following = await pages.page(api.db, read, limit_of(limit))
    return json_response({"items": items, "next_cursor": encode_cursor(following) if following else None})
