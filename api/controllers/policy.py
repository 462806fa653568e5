"""The policy: the rules in force on a date, and the subsidy standards the city office records."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import anyio.to_thread
from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter
from msgspec.structs import asdict

from api import commands as build
from api import schemas as s
from api.access import require
from api.controllers.common import (
    POSITION_HEADER,
    answer_command,
    api_state,
    documented,
    json_response,
)
from casework.application import Context
from casework.domain.decide import standard_in_force
from casework.domain.events import SubsidyStandardSet
from casework.domain.permissions import Actor
from casework.domain.policy import NOTES
from casework.domain.values import yuan


def standard_view(standard: SubsidyStandardSet, position: int | None = None) -> s.SubsidyStandardView:
    return s.SubsidyStandardView(
        in_force_from=standard.in_force_from,
        document_no=standard.document_no,
        rates={grade: yuan(fen) for grade, fen in standard.rates_fen.items()},
        position=position,
    )


def _shown(value: Any) -> Any:
    """A policy value as JSON shows it: sets sorted, bands as [floor, grade] pairs."""
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return [_shown(v) for v in value]
    return value


ON = Parameter(default=None, description="the date (default: today in Asia/Shanghai)")


class PolicyController(Controller):
    path = "/api/v1/policy"
    tags = ["policy"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/", operation_id="get_policy", responses=documented(200, s.PolicyView, command=False))
    async def policy(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        on: dt.date | None = ON,
    ) -> Response[bytes]:
        """The rules in force on a date: each value, the article it interprets, whether it is ours."""
        require(actor, "get_policy")
        api = api_state(request)
        day = on or api.today()
        revision = api.app.policies.on(day)
        standards = await anyio.to_thread.run_sync(api.app.subsidy_standards)
        in_force = standard_in_force(standards, day)
        fields = asdict(revision)
        values = [
            s.PolicyValueView(
                # Money as the API writes it everywhere: a decimal string of yuan.
                name=name.removesuffix("_fen"),
                value=yuan(fields[name]) if name.endswith("_fen") else _shown(fields[name]),
                article=note.article,
                policy_choice=note.choice,
                meaning=note.meaning,
            )
            for name, note in NOTES.items()
        ]
        return json_response(
            s.PolicyView(
                on=day,
                in_force_from=revision.in_force_from,
                document=revision.document,
                values=values,
                subsidy_standards=[standard_view(x) for x in standards],
                subsidy_standard_in_force=standard_view(in_force) if in_force else None,
            )
        )

    @post(
        "/subsidy-standards",
        operation_id="set_subsidy_standard",
        status_code=201,
        responses=documented(201, s.SubsidyStandardView, problems=(400, 401, 403, 409, 413, 415, 422, 503)),
    )
    async def set_subsidy_standard(
        self, request: Request[Any, Any, Any], actor: Actor, data: s.SubsidyStandardIn
    ) -> Response[bytes]:
        """Record the apprenticeship subsidy standard from a date (第六条(一) 现有补助标准)."""
        api = api_state(request)

        def created(standard: SubsidyStandardSet, position: int) -> Response[bytes]:
            api.written.record(actor.subject, position)
            return json_response(
                standard_view(standard, position),
                201,
                {POSITION_HEADER: str(position), "Location": f"/api/v1/policy?on={standard.in_force_from}"},
            )

        def execute(context: Context) -> tuple[SubsidyStandardSet, int]:
            return api.app.set_subsidy_standard(build.subsidy_standard(data), context)

        async def replay(stream: UUID, first: int, last: int, _: dt.date) -> Response[bytes]:
            __, events, positions = await anyio.to_thread.run_sync(api.app.outcome_of, stream, first, last)
            assert isinstance(events[-1], SubsidyStandardSet), "the standards' stream"
            return created(events[-1], positions[-1])

        return await answer_command(request, actor, execute, lambda done: created(*done), replay)
