"""Audit trail, subsidy ledger, reports, and a studio's history and past states."""

from __future__ import annotations

import datetime as dt
from typing import Any

import anyio.to_thread
import msgspec
from litestar import Controller, Request, Response, get

from api import answers as a
from api import schemas as s
from api.access import require
from api.controllers.common import (
    api_state,
    csv_response,
    decode_cursor,
    documented,
    encode_cursor,
    json_response,
    limit_of,
    studio_uuid,
    wants_csv,
)
from api.controllers.finance import XLSX
from api.errors import ProblemError
from api.queries import reports as queries
from api.queries.reports import money_rows
from casework import checkpoints, integrity
from casework.clock import business_date
from casework.domain.permissions import Actor
from casework.store import Envelope, decode_state
from projections.ledger import GROUPS
from projections.reconciliation import xlsx
from projections.register import COLUMNS, row

# What the OpenAPI document says of the answers besides their JSON schema.
_CSV_TOO = "the answer (CSV with Accept: text/csv)"
_CSV_XLSX_TOO = f"the answer (CSV with Accept: text/csv, a workbook with Accept: {XLSX})"
_NO_KEY = {503: "database unavailable, or no signing key configured; retry after Retry-After"}

AUDIT_COLUMNS = (
    "position",
    "studio_id",
    "version",
    "type",
    "actor",
    "role",
    "recorded_at",
    "effective_on",
    "correlation_id",
    "request_id",
    "summary",
)
LEDGER_COLUMNS = (
    "position",
    "line",
    "studio_id",
    "county",
    "host_credit_code",
    "host_name",
    "kind",
    "entry",
    "account",
    "amount",
    "voucher_no",
    "effective_on",
    "recorded_at",
)


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


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]  # noqa: RUF012

    @get(
        "/",
        operation_id="list_audit",
        responses=documented(200, a.AuditPage, command=False, description=_CSV_TOO),
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
    ) -> Response[bytes]:
        """The audit trail across studios."""
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
            AUDIT_COLUMNS,
            "audit.csv",
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
    ) -> Response[bytes]:
        """Ledger lines: commitments, payments, reversals and releases, in double entry (CSV or XLSX too)."""
        require(actor, "list_ledger_entries")
        api = api_state(request)
        if XLSX in request.headers.get("accept", ""):
            rows = money_rows(await api.db.fetch("SELECT * FROM ledger_lines ORDER BY position, line"))
            return Response(
                content=xlsx(
                    list(LEDGER_COLUMNS), [[r.get(c) for c in LEDGER_COLUMNS] for r in rows], "ledger"
                ),
                media_type=XLSX,
                headers={"Content-Disposition": 'attachment; filename="ledger.xlsx"'},
            )
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
            LEDGER_COLUMNS,
            "ledger.csv",
        )

    @get(
        "/balances",
        operation_id="get_ledger_balances",
        responses=documented(200, a.Balances, problems=(401, 403, 422, 503), description=_CSV_TOO),
    )
    async def balances(
        self, request: Request[Any, Any, Any], actor: Actor, group_by: str = "studio"
    ) -> Response[bytes]:
        """Committed, paid, reversed, released and outstanding per studio, host or county."""
        require(actor, "get_ledger_balances")
        if group_by not in GROUPS:
            raise ProblemError(422, "validation_failed", "group_by: one of studio, host, county")
        rows = await queries.balances(api_state(request).db, group_by)
        if wants_csv(request):
            columns = (*GROUPS[group_by], "committed", "paid", "reversed", "released", "outstanding")
            return csv_response(rows, columns, f"balances-by-{group_by}.csv")
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
    ) -> Response[bytes]:
        """Evaluations and rectification deadlines due within N days, and those overdue."""
        require(actor, "get_due_report")
        if not 0 <= within_days <= 3660:
            raise ProblemError(422, "validation_failed", "within_days: between 0 and 3660")
        api = api_state(request)
        today = api.today()
        result = await queries.due(api.db, actor, today, within_days)
        if wants_csv(request):
            merged = [{"report": k, **r} for k, rows in result.items() for r in rows]
            columns = ("report", "case_no", "name", "county", "status", "due_on", "overdue", "id")
            return csv_response(merged, columns, "due.csv")
        return json_response({"today": today, "within_days": within_days, **result})

    @get(
        "/summary",
        operation_id="get_summary_report",
        responses=documented(200, a.SummaryReport, problems=(401, 403, 503), description=_CSV_TOO),
    )
    async def summary(self, request: Request[Any, Any, Any], actor: Actor) -> Response[bytes]:
        """Counts by county × status, and subsidy totals."""
        require(actor, "get_summary_report")
        api = api_state(request)
        found = await queries.summary(api.db)
        if wants_csv(request):
            return csv_response(
                found["counts_by_county_and_status"], ("county", "status", "studios"), "summary.csv"
            )
        return json_response(found)


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
        view = s.studio_view(dict(zip(COLUMNS, values, strict=True)), today, api.app.policies)
        return json_response(
            {
                "as_of": as_of,
                "version": studio.version,
                "recorded_at": last.meta.recorded_at,
                "effective_on": last.meta.effective_on,
                "studio": view,
            }
        )


class IntegrityController(Controller):
    path = "/api/v1"
    tags = ["audit"]  # noqa: RUF012

    @get(
        "/integrity",
        operation_id="get_integrity",
        responses=documented(200, a.IntegrityVerdict, problems=(401, 403, 503), notes=_NO_KEY),
    )
    async def integrity(self, request: Request[Any, Any, Any], actor: Actor) -> Response[bytes]:
        """Recompute the hash chains from the event table and check every signed checkpoint."""
        require(actor, "get_integrity")
        api = api_state(request)
        if api.signer is None:
            raise ProblemError(
                503, "unavailable", "no signing key is configured", headers={"Retry-After": "60"}
            )
        key = api.signer.public_key
        verdict = await anyio.to_thread.run_sync(lambda: checkpoints.verify(api.app, api.database_url, key))
        return json_response({
            "ok": verdict.ok, "events": verdict.events, "checkpoints": verdict.checkpoints,
            "problem": verdict.problem, "position": verdict.position, "studio_id": verdict.studio_id,
            "public_key": key,
        })  # fmt: skip

    @get(
        "/studios/{studio_id:str}/history/bundle",
        operation_id="get_bundle",
        responses=documented(
            200,
            a.Bundle,
            problems=(401, 403, 404, 503),
            description="the bundle (a JSON file: Content-Disposition attachment)",
            notes=_NO_KEY,
        ),
    )
    async def bundle(self, request: Request[Any, Any, Any], actor: Actor, studio_id: str) -> Response[bytes]:
        """The studio's history as a self-contained bundle, verifiable offline (casework verify-bundle)."""
        require(actor, "get_bundle")
        api = api_state(request)
        signer = api.signer
        if signer is None:
            raise ProblemError(
                503, "unavailable", "no signing key is configured", headers={"Retry-After": "60"}
            )
        sid = studio_uuid(studio_id)
        made = await anyio.to_thread.run_sync(
            lambda: checkpoints.make_bundle(api.app, api.database_url, sid, signer, dt.datetime.now(dt.UTC))
        )
        if made is None:
            raise ProblemError(404, "not_found", "no such studio, or not one of yours")
        return json_response(
            made, headers={"Content-Disposition": f'attachment; filename="studio-{sid}.json"'}
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
    head = integrity.GENESIS
    for r in rows:
        version, state = r["originator_version"], bytes(r["state"])
        meta, event = decode_state(state)
        envelopes.append(
            Envelope(originator_id=studio_id, originator_version=version, meta=meta, event=event)
        )
        positions[version] = r["notification_id"]
        head = integrity.link(
            head, integrity.leaf(r["notification_id"], studio_id, version, r["topic"], state)
        )
        hashes[version] = head.hex()
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
    columns: tuple[str, ...],
    filename: str,
) -> Response[bytes]:
    csv = wants_csv(request)
    after = decode_cursor(cursor, [_position] * len(key))
    if after is not None and not csv:
        start = len(params)
        params = [*params, *after]
        placeholders = ", ".join(f"${start + i + 1}" for i in range(len(key)))
        where = [*where, f"({', '.join(key)}) > ({placeholders})"]
    sql = f"SELECT * FROM {view}" + (" WHERE " + " AND ".join(where) if where else "")  # noqa: S608
    sql += f" ORDER BY {', '.join(key)}"
    if csv:
        return csv_response(money_rows(await api.db.fetch(sql, *params)), columns, filename)
    size = limit_of(limit)
    rows = await api.db.fetch(f"{sql} LIMIT {size + 1}", *params)
    items = money_rows(rows[:size])
    next_cursor = encode_cursor([rows[size - 1][k] for k in key]) if len(rows) > size else None
    return json_response({"items": items, "next_cursor": next_cursor})
