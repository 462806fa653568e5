"""Reconciliation (国库对账): the one act of the console, uploading a treasury statement."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import anyio.to_thread
import psycopg
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template

from api.access import require
from api.console.render import back_to, day_of, download, file_format, may, page
from api.console.session import CSRF_FIELD, check_csrf
from api.controllers.common import api_state
from api.controllers.finance import STATEMENT_MAX_BYTES
from api.errors import ProblemError
from api.queries.reconciliations import earlier_reports, one_report
from casework.domain.permissions import Actor
from projections import reconciliation

# The list of earlier reports as a file: when, which statement, by whom, and how it came out.
EARLIER_COLUMNS = ("id", "created_at", "filename", "created_by", "as_of", *reconciliation.CATEGORIES)


def _summary(report: dict[str, Any]) -> dict[str, Any]:
    """A report's counts by category (stored as JSON; the driver may hand it over as text)."""
    found = report["summary"]
    return found if isinstance(found, dict) else dict(json.loads(found))


def _listed(report: dict[str, Any]) -> dict[str, Any]:
    counts = _summary(report)
    return {
        **{c: report[c] for c in EARLIER_COLUMNS[:5]},
        **{c: counts.get(c) for c in reconciliation.CATEGORIES},
    }


class FinancePages(Controller):
    path = "/console/reconciliations"

    @get("/", name="console-reconciliations")
    async def reports(
        self, request: Request[Any, Any, Any], viewer: Actor, format: str | None = None
    ) -> Template | Response[bytes]:
        """The upload form (finance) and the reports made earlier (or their list as a file)."""
        require(viewer, "get_reconciliation")
        api = api_state(request)
        earlier = await earlier_reports(api.db)
        if fmt := file_format(format):
            return download(fmt, "reconciliations", EARLIER_COLUMNS, [_listed(r) for r in earlier])
        return page(
            request,
            viewer,
            "reconciliations.html",
            api="POST /api/v1/reconciliations",
            earlier=earlier,
            may_upload=may(viewer, "reconcile_statement"),
        )

    @post("/", name="console-reconcile", request_max_body_size=STATEMENT_MAX_BYTES, status_code=303)
    async def reconcile(self, request: Request[Any, Any, Any], viewer: Actor) -> Redirect:
        """Reconcile the uploaded statement (CSV or XLSX, UTF-8 or GBK) and show its report."""
        form = await request.form()
        if not check_csrf(request, form.get(CSRF_FIELD)):
            raise ProblemError(403, "csrf_refused", "这个表单不是本会话发出的（CSRF 校验失败）")
        require(viewer, "reconcile_statement")
        statement = form.get("statement")
        if not isinstance(statement, UploadFile):
            raise ProblemError(422, "validation_failed", "statement: choose a CSV or XLSX file")
        data = await statement.read()
        as_of = day_of(form.get("as_of") or None)
        api = api_state(request)

        def run() -> dict[str, Any]:
            with psycopg.connect(api.database_url) as conn:
                return reconciliation.store_reconciliation(
                    conn,
                    data,
                    filename=statement.filename or "statement",
                    created_by=viewer.subject,
                    now=dt.datetime.now(dt.UTC),
                    as_of=as_of,
                )

        report = await anyio.to_thread.run_sync(run)
        return back_to(f"/console/reconciliations/{report['id']}")

    @get("/{report_id:str}", name="console-reconciliation")
    async def report(
        self, request: Request[Any, Any, Any], viewer: Actor, report_id: str, format: str | None = None
    ) -> Template | Response[bytes]:
        """One report by category, with the statement's and the ledger's totals; or as a file."""
        require(viewer, "get_reconciliation")
        found = await one_report(api_state(request).database_url, report_id)
        wanted = found["id"]
        fmt = file_format(format)
        if fmt:
            columns, rows = reconciliation.rows_for_export(found["items"])
            return download(
                fmt, f"reconciliation-{wanted}", columns, [dict(zip(columns, r, strict=True)) for r in rows]
            )
        summary = _summary(found)
        return page(
            request,
            viewer,
            "reconciliation.html",
            api=f"/api/v1/reconciliations/{wanted}",
            report=found,
            summary=summary,
            categories=reconciliation.CATEGORIES,
        )
