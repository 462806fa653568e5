"""The studios' pages: the register (名册), one studio, and its timeline (as ``casework replay``)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import anyio.to_thread
import msgspec
from litestar import Controller, Request, Response, get
from litestar.response import Template

from api import exports
from api import schemas as s
from api.access import require
from api.console import charts
from api.console.render import day_of, download, file_format, may, page, query, wants_fragment
from api.console.tables import timeline_rows
from api.controllers.common import api_state, decode_cursor, encode_cursor, limit_of, studio_uuid
from api.errors import ProblemError
from api.exports import XLSX
from api.queries.bundles import public_key, signed_bundle
from api.queries.history import events_of
from api.queries.studios import RegisterFilter, one_studio, register_export, register_page
from api.state import ApiState
from casework.bundles import Bundle, verify_bundle
from casework.clock import WENZHOU
from casework.domain.events import Evaluated
from casework.domain.permissions import Actor
from casework.domain.rules import SCORING_SHEET
from casework.domain.values import ItemScore
from casework.replay_command import shown
from casework.timeline import entries, record

PAGE_SIZE = 50
TIMELINE_COLUMNS = ("version", "recorded_at", "effective_on", "actor", "role", "type", "status_before",
                    "status_after", "summary", "correlation_id", "request_id")  # fmt: skip


def _choice(value: str | None, name: str) -> bool | None:
    """A yes/no filter of a form: blank is no filter."""
    if value in (None, ""):
        return None
    if value not in ("true", "false"):
        raise ProblemError(422, "validation_failed", f"{name}: true or false")
    return value == "true"


def _blank(value: str | None) -> str | None:
    return value or None


def _not_found() -> ProblemError:
    return ProblemError(404, "not_found", "no such studio, or not one of yours")


# The studio page's table (honours of its master and members, 第六条(三)(五)) as a file.
HONOUR_COLUMNS = ("person_name", "honour", "level", "conferred_on", "document_no")


class StudioPages(Controller):
    path = "/console/studios"

    @get("/", name="console-register")
    async def register(
        self,
        request: Request[Any, Any, Any],
        viewer: Actor,
        county: str | None = None,
        level: str | None = None,
        status: str | None = None,
        occupation: str | None = None,
        grade: str | None = None,
        q: str | None = None,
        training_shortfall: str | None = None,
        has_honour: str | None = None,
        cursor: str | None = None,
        limit: int = PAGE_SIZE,
        format: str | None = None,
    ) -> Template | Response[Any]:
        """The register with the filters of GET /studios, a page at a time, or all of it as a file."""
        require(viewer, "list_studios")
        api = api_state(request)
        today = api.today()
        duty = api.app.policies.on(today).training_duty_per_year
        wanted = RegisterFilter(
            county=_blank(county),
            level=_blank(level),
            status=_blank(status),
            occupation=_blank(occupation),
            grade=_blank(grade),
            q=_blank(q),
            training_shortfall=_choice(training_shortfall, "training_shortfall"),
            has_honour=_choice(has_honour, "has_honour"),
        )
        filters = {f: request.query_params.get(f) for f in RegisterFilter.__struct_fields__}
        if limit != PAGE_SIZE:
            filters["limit"] = str(limit)
        fmt = file_format(format)
        if fmt:
            media = XLSX if fmt == "xlsx" else "text/csv"
            return await exports.stream(
                api.db, register_export(viewer, wanted, today, api.app.policies), media
            )
        after = decode_cursor(_blank(cursor), (str, uuid.UUID))
        rows, following = await register_page(api.db, viewer, wanted, today, duty, limit_of(limit), after)
        studios = [s.studio_view(r, today, api.app.policies) for r in rows]
        partial = wants_fragment(request)
        return page(
            request,
            viewer,
            "register_rows.html" if partial else "register.html",
            api=query("/api/v1/studios", {**filters, "cursor": cursor}),
            studios=studios,
            filters=filters,
            first_page=query("/console/studios", filters),
            next_page=query("/console/studios", {**filters, "cursor": encode_cursor(following)})
            if following
            else None,
            csv_link=query("/console/studios", {**filters, "format": "csv"}),
            xlsx_link=query("/console/studios", {**filters, "format": "xlsx"}),
        )

    @get("/{studio_id:str}", name="console-studio")
    async def studio(
        self, request: Request[Any, Any, Any], viewer: Actor, studio_id: str, format: str | None = None
    ) -> Template | Response[bytes]:
        """One studio: its status, master, host, award, subsidies, training, evaluation, rectification
        and honours (``format``: the honours table as a file)."""
        api, sid, found = await _studio_for(request, viewer, "get_studio", studio_id)
        today = api.today()
        view = s.studio_view(found, today, api.app.policies)
        if fmt := file_format(format):
            honours = [msgspec.structs.asdict(h) for h in view.honours]
            return download(fmt, f"honours-{view.case_no}", HONOUR_COLUMNS, honours)
        history = await anyio.to_thread.run_sync(events_of, api.app, sid)
        evaluations = [e.event for e in history if isinstance(e.event, Evaluated)]
        items = []
        if evaluations:
            scores = evaluations[-1].scores
            items = [
                (f"{i.code} {i.title[:10]}", _assessed(scores, i.code), i.maximum) for i in SCORING_SHEET
            ]
        years = view.training.per_award_year
        return page(
            request,
            viewer,
            "studio.html",
            api=f"/api/v1/studios/{sid}",
            studio=view,
            training_chart=charts.columns(
                [f"第{y.number}年" for y in years],
                [y.trained for y in years],
                title="每个认定年度培养中级工以上人数",
                line=view.training.duty_per_year,
                line_label=f"年度任务 {view.training.duty_per_year} 人",
            )
            if years
            else None,
            evaluation_chart=charts.rows(items, title="最近一次绩效评估：各项得分与满分") if items else None,
            may_see_timeline=may(viewer, "get_history"),
        )

    @get("/{studio_id:str}/timeline", name="console-timeline")
    async def timeline(
        self,
        request: Request[Any, Any, Any],
        viewer: Actor,
        studio_id: str,
        as_of: str | None = None,
        format: str | None = None,
    ) -> Template | Response[bytes]:
        """The studio's history as ``casework replay`` shows it, as recorded by a date if one is given."""
        api, sid, found = await _studio_for(request, viewer, "get_history", studio_id)
        day = day_of(as_of)
        until = None if day is None else dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), WENZHOU)
        last = until - dt.timedelta(microseconds=1) if until else None

        def replayed() -> tuple[int, list[dict[str, Any]]]:
            # Off the event loop: each event is applied to the state before it (its status change).
            history = events_of(api.app, sid)
            return len(history), [record(entry) for entry in entries(shown(history, until=last, up_to=None))]

        latest, records = await anyio.to_thread.run_sync(replayed)
        fmt = file_format(format)
        if fmt:
            return download(fmt, f"timeline-{found['case_no']}", TIMELINE_COLUMNS, records)
        return page(
            request,
            viewer,
            "timeline.html",
            api=f"/api/v1/studios/{sid}/history",
            studio=found,
            records=records,
            rows=timeline_rows(records),
            as_of=day,
            latest=latest,
            csv_link=query(request.url.path, {"as_of": as_of, "format": "csv"}),
            may_bundle=may(viewer, "get_bundle"),
        )

    @get("/{studio_id:str}/verification", name="console-verification")
    async def verification(self, request: Request[Any, Any, Any], viewer: Actor, studio_id: str) -> Template:
        """The studio's bundle verified as an auditor would offline, as a part of the timeline
        (it reads the whole log: the timeline asks for it once shown, through htmx)."""
        require(viewer, "get_bundle")
        api = api_state(request)
        made = await _bundle(request, studio_uuid(studio_id))
        trusted = public_key(api)
        verdict = await anyio.to_thread.run_sync(verify_bundle, made, trusted)
        return page(
            request,
            viewer,
            "verification.html",
            api=f"/api/v1/studios/{studio_id}/history/bundle",
            verdict=verdict,
        )

    @get("/{studio_id:str}/bundle", name="console-bundle")
    async def bundle(self, request: Request[Any, Any, Any], viewer: Actor, studio_id: str) -> Response[bytes]:
        """The studio's history as a bundle an auditor verifies offline (casework verify-bundle)."""
        require(viewer, "get_bundle")
        sid = studio_uuid(studio_id)
        made = await _bundle(request, sid)
        return Response(
            content=msgspec.json.encode(made),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="studio-{sid}.json"'},
        )


async def _studio_for(
    request: Request[Any, Any, Any], viewer: Actor, operation: str, studio_id: str
) -> tuple[ApiState, uuid.UUID, Any]:
    """The state, the studio's id and its register row, for a role the operation allows and a
    studio in the viewer's scope (404 otherwise, as the API answers)."""
    require(viewer, operation)
    api = api_state(request)
    sid = studio_uuid(studio_id)
    found = await one_studio(api.db, viewer, sid)
    if found is None:
        raise _not_found()
    return api, sid, found


async def _bundle(request: Request[Any, Any, Any], sid: uuid.UUID) -> Bundle:
    api = api_state(request)
    public_key(api)
    made = await signed_bundle(api, sid, None)
    if made is None:
        raise _not_found()
    return made


def _assessed(scores: dict[str, ItemScore], code: str) -> Decimal:
    """The panel's score of an item (an item not scored counts nought)."""
    return scores[code].assessed if code in scores else Decimal(0)
