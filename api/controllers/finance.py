"""Reconciliation of the treasury's statements (市财政局)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import anyio.to_thread
import psycopg
from litestar import Controller, Request, Response, get, post

from api.access import require
from api.answers import Reconciliation
from api.controllers.common import api_state, csv_response, documented, json_response
from api.errors import problem_for
from api.exports import XLSX
from api.idempotency import answer_once, key_scope
from api.queries.reconciliations import one_report
from casework.domain.permissions import Actor
from casework.store import RequestKey
from projections import reconciliation

STATEMENT_MAX_BYTES = 64 * 1024 * 1024


def export(report: dict[str, Any], request: Request[Any, Any, Any]) -> Response[bytes] | None:
    """The report as CSV or XLSX when the client asks for one."""
    accept = request.headers.get("accept", "")
    columns, rows = reconciliation.rows_for_export(report["items"])
    name = f"reconciliation-{report['id']}"
    if XLSX in accept:
        return Response(
            content=reconciliation.xlsx(columns, rows, "reconciliation"),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    if "text/csv" in accept:
        return csv_response([dict(zip(columns, r, strict=True)) for r in rows], columns, f"{name}.csv")
    return None


class ReconciliationController(Controller):
    path = "/api/v1/reconciliations"
    tags = ["finance"]  # noqa: RUF012

    # A treasury statement of 100,000 rows is some 5 MB: the 1 MiB limit is for JSON commands.
    @post(
        "/",
        operation_id="reconcile_statement",
        status_code=201,
        request_max_body_size=STATEMENT_MAX_BYTES,
        responses=documented(
            201,
            Reconciliation,
            problems=(401, 403, 413, 415, 422, 503),
            notes={
                413: "statement larger than 64 MiB",
                415: "not a CSV or XLSX statement",
                422: "invalid statement (code invalid_statement; the field names row and column), or as_of",
            },
        ),
    )
    async def reconcile(
        self, request: Request[Any, Any, Any], actor: Actor, as_of: dt.date | None = None
    ) -> Response[bytes]:
        """Reconcile a treasury statement (CSV, UTF-8 or GBK, or XLSX) against the ledger."""
        require(actor, "reconcile_statement")
        api = api_state(request)
        data = await request.body()
        filename = request.headers.get("x-filename", "statement")

        def run() -> dict[str, Any]:
            with psycopg.connect(api.database_url) as conn:
                return reconciliation.store_reconciliation(
                    conn,
                    data,
                    filename=filename,
                    created_by=actor.subject,
                    now=dt.datetime.now(dt.UTC),
                    as_of=as_of,
                )

        async def respond(_: RequestKey | None) -> Response[bytes]:
            try:
                report = await anyio.to_thread.run_sync(run)
            except Exception as error:
                refusal = problem_for(error)
                if refusal is None:
                    raise
                return refusal
            return json_response(report, 201, {"Location": f"/api/v1/reconciliations/{report['id']}"})

        # Like every POST: the same key and statement get the first report again.
        return await answer_once(
            api.db,
            request,
            key_scope(actor),
            api.today(),
            respond,
            ttl_hours=api.settings.idempotency_ttl_hours,
        )

    @get(
        "/{report_id:str}",
        operation_id="get_reconciliation",
        responses=documented(
            200,
            Reconciliation,
            problems=(401, 403, 404, 503),
            description=f"the report (CSV with Accept: text/csv, a workbook with Accept: {XLSX})",
        ),
    )
    async def report(self, request: Request[Any, Any, Any], actor: Actor, report_id: str) -> Response[bytes]:
        """A stored reconciliation report (never changed); CSV or XLSX on request."""
        require(actor, "get_reconciliation")
        found = await one_report(api_state(request).database_url, report_id)
        return export(found, request) or json_response(found)
