"""The overview (总览), what is coming due, the subsidy ledger, and the integrity of the record."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import anyio.to_thread
from litestar import Controller, Request, Response, get
from litestar.response import Redirect, Template

from api.access import require
from api.console import charts, words
from api.console.render import back_to, download, file_format, may, page, query
from api.controllers.common import api_state, studio_uuid
from api.errors import ProblemError
from api.queries import ledger, reports
from api.queries.studios import one_studio
from casework import checkpoints
from casework.domain.permissions import Actor
from casework.domain.rules import SCOPES
from projections.ledger import GROUPS

MONEY = ("committed", "paid", "reversed", "released", "outstanding")
LEDGER_LINE = ("position", "line", "kind", "entry", "account", "amount", "voucher_no", "effective_on")
DUE_COLUMNS = ("report", "case_no", "name", "county", "status", "due_on", "overdue", "id")


class ReportPages(Controller):
    path = "/console"

    @get("/", name="console-overview")
    async def overview(
        self, request: Request[Any, Any, Any], viewer: Actor, format: str | None = None
    ) -> Template | Redirect | Response[bytes]:
        """Counts by county × status (a table and a chart), subsidy totals, the integrity status."""
        if not may(viewer, "get_summary_report"):
            return back_to("/console/studios")  # a county's users start at their register
        api = api_state(request)
        found = await reports.summary(api.db)
        counts = found["counts_by_county_and_status"]
        fmt = file_format(format)
        if fmt:
            return download(fmt, "overview", ("county", "status", "studios"), counts)
        table: dict[str, dict[str, int]] = defaultdict(dict)
        for r in counts:
            table[r["county"]][r["status"]] = r["studios"]
        counties = [c for c in SCOPES if c in table] + sorted(c for c in table if c not in SCOPES)
        statuses = [s for s in words.STATUS if any(s in row for row in table.values())]
        return page(
            request,
            viewer,
            "overview.html",
            api="/api/v1/reports/summary",
            counties=counties,
            statuses=statuses,
            table=table,
            totals=found["subsidy_totals"],
            chart=charts.columns(
                counties, [sum(table[c].values()) for c in counties], title="各县（市、区）工作室数量"
            )
            if counties
            else None,
            may_check=may(viewer, "get_integrity"),
        )

    @get("/integrity", name="console-integrity")
    async def integrity(self, request: Request[Any, Any, Any], viewer: Actor) -> Template:
        """The integrity check (hash chains and signed checkpoints), as a part of the overview:
        it reads the whole log, so the overview asks for it once shown (htmx)."""
        require(viewer, "get_integrity")
        api = api_state(request)
        if api.signer is None:
            raise ProblemError(503, "unavailable", "no signing key is configured")
        key = api.signer.public_key
        verdict = await anyio.to_thread.run_sync(lambda: checkpoints.verify(api.app, api.database_url, key))
        return page(request, viewer, "integrity.html", api="/api/v1/integrity", verdict=verdict)

    @get("/due", name="console-due")
    async def due(
        self, request: Request[Any, Any, Any], viewer: Actor, within_days: int = 60, format: str | None = None
    ) -> Template | Response[bytes]:
        """Evaluations due and rectification deadlines within N days, overdue first."""
        require(viewer, "get_due_report")
        if not 0 <= within_days <= 3660:
            raise ProblemError(422, "validation_failed", "within_days: between 0 and 3660")
        api = api_state(request)
        found = await reports.due(api.db, viewer, api.today(), within_days)
        for rows in found.values():
            rows.sort(key=lambda r: not r["overdue"])  # stable: by date within each
        fmt = file_format(format)
        if fmt:
            merged = [{"report": k, **r} for k, rows in found.items() for r in rows]
            return download(fmt, "due", DUE_COLUMNS, merged)
        return page(
            request,
            viewer,
            "due.html",
            api=f"/api/v1/reports/due?within_days={within_days}",
            within_days=within_days,
            reports=found,
            csv_link=query("/console/due", {"within_days": within_days, "format": "csv"}),
        )

    @get("/ledger", name="console-ledger")
    async def ledger(
        self,
        request: Request[Any, Any, Any],
        viewer: Actor,
        group_by: str = "county",
        studio_id: str | None = None,
        format: str | None = None,
    ) -> Template | Response[bytes]:
        """Balances by county, host or studio; or the ledger lines of one studio."""
        require(viewer, "get_ledger_balances")
        if group_by not in GROUPS:
            raise ProblemError(422, "validation_failed", "group_by: one of studio, host, county")
        api = api_state(request)
        fmt = file_format(format)
        studio = None
        if studio_id:
            sid = studio_uuid(studio_id)
            studio = await one_studio(api.db, viewer, sid)
            if studio is None:
                raise ProblemError(404, "not_found", "no such studio, or not one of yours")
            lines = await ledger.ledger_of(api.db, sid)
            if fmt:
                return download(fmt, f"ledger-{studio['case_no']}", LEDGER_LINE, lines)
            keys: tuple[str, ...] = LEDGER_LINE
            rows, api_call = lines, f"/api/v1/ledger/entries?studio_id={sid}"
        else:
            rows = await ledger.balances(api.db, group_by)
            keys = (*GROUPS[group_by], *MONEY)
            if fmt:
                return download(fmt, f"balances-by-{group_by}", keys, rows)
            api_call = f"/api/v1/ledger/balances?group_by={group_by}"
        return page(
            request,
            viewer,
            "ledger.html",
            api=api_call,
            group_by=group_by,
            studio=studio,
            rows=rows,
            keys=keys,
            money_keys=(*MONEY, "amount"),
            csv_link=query(
                "/console/ledger", {"group_by": group_by, "studio_id": studio_id, "format": "csv"}
            ),
            xlsx_link=query(
                "/console/ledger", {"group_by": group_by, "studio_id": studio_id, "format": "xlsx"}
            ),
        )
