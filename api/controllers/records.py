"""Audit trail, subsidy ledger, reports, and a studio's history and past states."""

from __future__ import annotations

import datetime as dt
from typing import Any

import anyio.to_thread
import msgspec
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
from api.queries import reports as queries
from api.queries.reports import money_rows
from casework.clock import business_date
from casework.domain.permissions import Actor
from casework.integrity import StudioChains
from casework.store import Envelope, decode_state
from projections import rows
from projections.audit import AuditRow
from projections.ledger import GROUPS, LedgerRow, balances_sql
from projections.register import row

_CSV_TOO = exports.CSV_TOO
_CSV_XLSX_TOO = exports.CSV_XLSX_TOO
_SPREADSHEETS = ("text/csv", exports.XLSX)

# An export's header is what the JSON answer names: the row's columns, money in yuan.
AUDIT_COLUMNS = rows.shown(AuditRow)
LEDGER_COLUMNS = rows.shown(LedgerRow)


def _filters(pairs: list[tuple[str, Any]]) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    for clause, value in pairs:
        if value is not None:
            params.append(value)
            where.append(clause.replace("?", f"${len(params)}"))
    return where, params


def _position(text: str) -> int:
    """A position of a cursor: a bigint, not just any integer."""
    value = int(text)
    if not 0 <= value < 2**63:
        raise ValueError(text)
    return value


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
        where, params = _filters(
            [
                ("studio_id = ?", studio_uuid(studio_id) if studio_id else None),
                ("actor = ?", who),
                ("role = ?", role),
                ("type = ?", type),
                ("recorded_at >= ?", since),
                ("recorded_at < ?", until),
            ]
        )
        return await _page(
            request,
            api,
            "audit_trail",
            where,
            params,
            ("position",),
            limit,
            cursor,
            ("audit", AUDIT_COLUMNS),
        )


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
        where, params = _filters(
            [
                ("studio_id = ?", studio_uuid(studio_id) if studio_id else None),
                ("county = ?", county),
                ("kind = ?", kind),
                ("effective_on >= ?", since),
                ("effective_on <= ?", until),
            ]
        )
        return await _page(
            request,
            api,
            "ledger_lines",
            where,
            params,
            ("position", "line"),
            limit,
            cursor,
            ("ledger", LEDGER_COLUMNS),
            money=rows.in_yuan(LedgerRow),
        )

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
        if group_by not in GROUPS:
            raise ProblemError(422, "validation_failed", "group_by: one of studio, host, county")
        db = api_state(request).db
        if media := exports.wanted(request.headers.get("accept", "")):
            sums = ("committed", "paid", "reversed", "released", "outstanding")
            columns = (*GROUPS[group_by], *sums)
            query = exports.Query(balances_sql(group_by), exports.by_name(columns, money=sums))
            export = exports.Export(f"balances-by-{group_by}", columns, [query])
            return await exports.stream(db, export, media)
        rows = await queries.balances(db, group_by)
        return json_response({"group_by": group_by, "items": rows})


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
            columns = ("report", "case_no", "name", "county", "status", "due_on", "overdue", "id")
            sql, params = queries.due_queries(actor, today, within_days)
            parts = [exports.Query(q, _labelled(name, columns[1:]), params) for name, q in sql.items()]
            return await exports.stream(api.db, exports.Export("due", columns, parts), media)
        result = await queries.due(api.db, actor, today, within_days)
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
            columns = ("county", "status", "studios")
            query = exports.Query(queries.COUNTS_BY_COUNTY_AND_STATUS, exports.by_name(columns))
            return await exports.stream(api.db, exports.Export("summary", columns, [query]), media)
        return json_response(await queries.summary(api.db))


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
        envelopes, positions, hashes = await anyio.to_thread.run_sync(lambda: _history(api.app, sid))
        if not envelopes:
            raise ProblemError(404, "not_found", "no such studio, or not one of yours")
        items = [
            {
                "position": positions.get(e.originator_version),
                "version": e.originator_version,
                "type": type(e.event).__name__,
                "recorded_at": e.meta.recorded_at,
                "effective_on": e.meta.effective_on,
                "actor": e.meta.actor,
                "role": e.meta.role,
                "correlation_id": e.meta.correlation_id,
                "request_id": e.meta.request_id,
                "data": msgspec.to_builtins(e.event),
                "hash": hashes.get(e.originator_version),
            }
            for e in envelopes
        ]
        return json_response({"studio_id": sid, "items": items})

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
        envelopes, positions, _ = await anyio.to_thread.run_sync(lambda: _history(api.app, sid))
        if not envelopes:
            raise ProblemError(404, "not_found", "no such studio, or not one of yours")
        chosen = [
            e
            for e in envelopes
            if (e.meta.recorded_at <= as_of if as_of else e.originator_version <= (version or 0))
        ]
        if not chosen:
            raise ProblemError(404, "not_found", "the studio did not exist then")
        studio = await anyio.to_thread.run_sync(lambda: api.app.load(sid, chosen[-1].originator_version))
        assert studio is not None
        last = chosen[-1]
        values = row(studio, positions.get(last.originator_version, 0), last.meta.recorded_at)
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


def _history(app: Any, studio_id: Any) -> tuple[list[Envelope], dict[int, int], dict[int, str]]:
    """The studio's events as stored (one read): envelopes, log positions and chain hashes by version."""
    with app.store.datastore.get_connection() as conn:
        rows = conn.execute(
            f"SELECT notification_id, originator_version, topic, state FROM {app.store.events_table_name} "  # noqa: S608
            "WHERE originator_id = %s ORDER BY originator_version",
            (studio_id,),
        ).fetchall()
    envelopes, positions, hashes = [], {}, {}
    chains = StudioChains()
    for r in rows:
        version, state = r["originator_version"], bytes(r["state"])
        meta, event = decode_state(state)
        envelopes.append(
            Envelope(originator_id=studio_id, originator_version=version, meta=meta, event=event)
        )
        positions[version] = r["notification_id"]
        hashes[version] = chains.add(r["notification_id"], studio_id, version, r["topic"], state)[1].hex()
    return envelopes, positions, hashes


async def _page(
    request: Request[Any, Any, Any],
    api: Any,
    view: str,
    where: list[str],
    params: list[Any],
    key: tuple[str, ...],
    limit: int,
    cursor: str | None,
    export: tuple[str, tuple[str, ...]],
    money: tuple[str, ...] = (),
) -> Response[Any]:
    """A page of a view in JSON, or the whole of it (filtered) as a CSV or XLSX export
    (``export``: its name and columns)."""
    media = exports.wanted(request.headers.get("accept", ""), _SPREADSHEETS)
    after = decode_cursor(cursor, [_position] * len(key))
    if after is not None and media is None:
        start = len(params)
        params = [*params, *after]
        placeholders = ", ".join(f"${start + i + 1}" for i in range(len(key)))
        where = [*where, f"({', '.join(key)}) > ({placeholders})"]
    sql = f"SELECT * FROM {view}" + (" WHERE " + " AND ".join(where) if where else "")  # noqa: S608
    sql += f" ORDER BY {', '.join(key)}"
    if media is not None:
        name, columns = export
        query = exports.Query(sql, exports.by_name(columns, money), params)
        return await exports.stream(api.db, exports.Export(name, columns, [query]), media)
    size = limit_of(limit)
    rows = await api.db.fetch(f"{sql} LIMIT {size + 1}", *params)
    items = money_rows(rows[:size])
    next_cursor = encode_cursor([rows[size - 1][k] for k in key]) if len(rows) > size else None
    return json_response({"items": items, "next_cursor": next_cursor})
