"""The studios resource: the commands on a studio, the register, and one studio."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from api import commands as build
from api import exports
from api import schemas as s
from api.access import require
from api.controllers.common import (
    JsonAnswer,
    api_state,
    decode_cursor,
    documented,
    encode_cursor,
    json_response,
    limit_of,
    run_command,
    studio_uuid,
)
from api.errors import ProblemError
from api.queries.studios import RegisterFilter, one_studio, register_export, register_page
from casework.domain.permissions import Actor


class StudioController(Controller):
    path = "/api/v1/studios"
    tags = ["studios"]  # noqa: RUF012 - Litestar reads it as a class attribute

    # --- commands ------------------------------------------------------------------

    @post("/", operation_id="submit_application", status_code=201, responses=documented(201, s.StudioView))
    async def submit(
        self, request: Request[Any, Any, Any], actor: Actor, data: s.SubmissionIn
    ) -> Response[bytes]:
        """Submit an application for a studio (申报)."""
        return await run_command(
            request,
            actor,
            lambda api: build.submission(api.vault, data, api.today(), api.app.new_case_no),
            created=True,
        )

    @post(
        "/{studio_id:str}/amendment",
        operation_id="amend_application",
        status_code=200,
        responses=documented(200, s.StudioView),
    )
    async def amend(
        self, request: Request[Any, Any, Any], actor: Actor, studio_id: str, data: s.AmendmentIn
    ) -> Response[bytes]:
        """Amend a returned application."""
        sid = studio_uuid(studio_id)
        return await run_command(
            request, actor, lambda api: build.amendment(api.vault, data, sid, api.today())
        )

    @post(
        "/{studio_id:str}/withdrawal",
        operation_id="withdraw_application",
        status_code=200,
        responses=documented(200, s.StudioView),
    )
    async def withdraw(
        self, request: Request[Any, Any, Any], actor: Actor, studio_id: str, data: s.WithdrawalIn
    ) -> Response[bytes]:
        """Withdraw an application before the award."""
        sid = studio_uuid(studio_id)
        return await run_command(request, actor, lambda api: build.withdrawal(data, sid, api.today()))

    @post(
        "/{studio_id:str}/county-review",
        operation_id="review_at_county",
        status_code=200,
        responses=documented(200, s.StudioView),
    )
    async def county_review(
        self, request: Request[Any, Any, Any], actor: Actor, studio_id: str, data: s.CountyReviewIn
    ) -> Response[bytes]:
        """Approve, return or reject an application of the reviewer's county."""
        sid = studio_uuid(studio_id)
        return await run_command(
            request, actor, lambda api: build.county_review(data, actor, sid, api.today())
        )

    @post(
        "/{studio_id:str}/assessment",
        operation_id="record_assessment",
        status_code=200,
        responses=documented(200, s.StudioView),
    )
    async def assessment(
        self, request: Request[Any, Any, Any], actor: Actor, studio_id: str, data: s.AssessmentIn
    ) -> Response[bytes]:
        """Record the expert panel's assessment."""
        sid = studio_uuid(studio_id)
        return await run_command(request, actor, lambda api: build.assessment(data, sid, api.today()))

    @post(
        "/{studio_id:str}/award",
        operation_id="award_studio",
        status_code=200,
        responses=documented(200, s.StudioView),
    )
    async def award(
        self, request: Request[Any, Any, Any], actor: Actor, studio_id: str, data: s.AwardIn
    ) -> Response[bytes]:
        """Award the studio its title and plaque."""
        sid = studio_uuid(studio_id)
        return await run_command(request, actor, lambda api: build.award(data, sid))

    @post(
        "/{studio_id:str}/subsidy-payments",
        operation_id="record_subsidy_payment",
        status_code=200,
        responses=documented(200, s.StudioView),
    )
    async def pay(
        self, request: Request[Any, Any, Any], actor: Actor, studio_id: str, data: s.PaymentIn
    ) -> Response[bytes]:
        """Record a construction or apprenticeship subsidy payment."""
        sid = studio_uuid(studio_id)
        return await run_command(request, actor, lambda api: build.payment(data, sid))

    @post(
        "/{studio_id:str}/subsidy-reversals",
        operation_id="reverse_subsidy_payment",
        status_code=200,
        responses=documented(200, s.StudioView),
    )
    async def reverse(
        self, request: Request[Any, Any, Any], actor: Actor, studio_id: str, data: s.ReversalIn
    ) -> Response[bytes]:
        """Reverse a payment (a correction never edits the payment)."""
        sid = studio_uuid(studio_id)
        return await run_command(request, actor, lambda api: build.reversal(data, sid, api.today()))

    @post(
        "/{studio_id:str}/apprentices",
        operation_id="enrol_apprentice",
        status_code=201,
        responses=documented(201, s.ApprenticeAnswer),
    )
    async def enrol(
        self, request: Request[Any, Any, Any], actor: Actor, studio_id: str, data: s.ApprenticeIn
    ) -> Response[bytes]:
        """Enrol an apprentice under a signed agreement (以师带徒协议)."""
        sid = studio_uuid(studio_id)
        return await run_command(
            request,
            actor,
            lambda api: build.enrolment(api.vault, data, sid, api.today()),
            created=True,
            answer=build.enrolled,
        )

    @post(
        "/{studio_id:str}/apprentices/{apprentice_id:uuid}/qualification",
        operation_id="record_qualification",
        status_code=200,
        responses=documented(200, s.StudioView),
    )
    async def qualification(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        studio_id: str,
        apprentice_id: uuid.UUID,
        data: s.QualificationIn,
    ) -> Response[bytes]:
        """Record a grade an apprentice reached."""
        sid = studio_uuid(studio_id)
        return await run_command(request, actor, lambda api: build.qualification(data, sid, apprentice_id))

    @post(
        "/{studio_id:str}/inspections",
        operation_id="record_inspection",
        status_code=200,
        responses=documented(200, s.StudioView),
    )
    async def inspect(
        self, request: Request[Any, Any, Any], actor: Actor, studio_id: str, data: s.InspectionIn
    ) -> Response[bytes]:
        """Record an irregular inspection (第七条(二))."""
        sid = studio_uuid(studio_id)
        return await run_command(request, actor, lambda api: build.inspection(data, sid))

    @post(
        "/{studio_id:str}/evaluations",
        operation_id="record_evaluation",
        status_code=201,
        responses=documented(201, s.EvaluationAnswer),
    )
    async def evaluate(
        self, request: Request[Any, Any, Any], actor: Actor, studio_id: str, data: s.EvaluationIn
    ) -> Response[bytes]:
        """Record a performance evaluation; the answer adds base, bonus, total and grade."""
        sid = studio_uuid(studio_id)
        return await run_command(
            request, actor, lambda api: build.evaluation(data, sid), created=True, answer=build.evaluated
        )

    @post(
        "/{studio_id:str}/rectification-orders",
        operation_id="order_rectification",
        status_code=200,
        responses=documented(200, s.StudioView),
    )
    async def rectify(
        self, request: Request[Any, Any, Any], actor: Actor, studio_id: str, data: s.RectificationIn
    ) -> Response[bytes]:
        """Order rectification by a deadline."""
        sid = studio_uuid(studio_id)
        return await run_command(request, actor, lambda api: build.rectification_order(data, sid))

    @post(
        "/{studio_id:str}/rectification-reviews",
        operation_id="review_rectification",
        status_code=200,
        responses=documented(200, s.StudioView),
    )
    async def review_rectification(
        self, request: Request[Any, Any, Any], actor: Actor, studio_id: str, data: s.RectificationReviewIn
    ) -> Response[bytes]:
        """Record the check after the rectification deadline (经限期整改后, 第七条(四)3)."""
        sid = studio_uuid(studio_id)
        return await run_command(request, actor, lambda api: build.rectification_review(data, sid))

    @post(
        "/{studio_id:str}/honours",
        operation_id="record_honour",
        status_code=201,
        responses=documented(201, s.HonourAnswer),
    )
    async def record_honour(
        self, request: Request[Any, Any, Any], actor: Actor, studio_id: str, data: s.HonourIn
    ) -> Response[bytes]:
        """Record an honour of the master, a member (member-N) or an apprentice (第六条(三)(五))."""
        sid = studio_uuid(studio_id)
        return await run_command(
            request, actor, lambda api: build.honour(data, sid), created=True, answer=build.honoured
        )

    @post(
        "/{studio_id:str}/revocation",
        operation_id="revoke_studio",
        status_code=200,
        responses=documented(200, s.StudioView),
    )
    async def revoke(
        self, request: Request[Any, Any, Any], actor: Actor, studio_id: str, data: s.RevocationIn
    ) -> Response[bytes]:
        """Revoke the title and recall the plaque (第七条(四))."""
        sid = studio_uuid(studio_id)
        return await run_command(request, actor, lambda api: build.revocation(data, sid))

    @post(
        "/{studio_id:str}/province-recommendation",
        operation_id="recommend_to_province",
        status_code=200,
        responses=documented(200, s.StudioView),
    )
    async def recommend(
        self, request: Request[Any, Any, Any], actor: Actor, studio_id: str, data: s.RecommendationIn
    ) -> Response[bytes]:
        """Recommend the studio to the province (择优推荐)."""
        sid = studio_uuid(studio_id)
        return await run_command(request, actor, lambda api: build.recommendation(data, sid, api.today()))

    # --- queries -------------------------------------------------------------------

    @get(
        "/{studio_id:str}", operation_id="get_studio", responses=documented(200, s.StudioView, command=False)
    )
    async def get_one(self, request: Request[Any, Any, Any], actor: Actor, studio_id: str) -> JsonAnswer:
        """One studio, as the register holds it."""
        require(actor, "get_studio")
        api = api_state(request)
        found = await one_studio(api.db, actor, studio_uuid(studio_id))
        if found is None:
            raise ProblemError(404, "not_found", "no such studio, or not one of yours")
        view = s.studio_view(found, api.today(), api.app.policies)
        return JsonAnswer(view, headers={"ETag": f'"{view.version}"'})

    @get(
        "/",
        operation_id="list_studios",
        responses=documented(200, s.StudioPage, command=False, description=exports.CSV_XLSX_TOO),
    )
    async def register(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        county: str | None = None,
        level: str | None = None,
        status: str | None = None,
        occupation: str | None = None,
        grade: str | None = None,
        q: str | None = Parameter(default=None, description="part of the studio's name"),
        training_shortfall: bool | None = None,
        has_honour: bool | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Response[Any]:
        """The register, filtered; a county role sees its own county only (CSV or XLSX too)."""
        require(actor, "list_studios")
        api = api_state(request)
        today, policies = api.today(), api.app.policies
        wanted = RegisterFilter(
            county=county,
            level=level,
            status=status,
            occupation=occupation,
            grade=grade,
            q=q,
            training_shortfall=training_shortfall,
            has_honour=has_honour,
        )
        duty = policies.on(today).training_duty_per_year
        after = decode_cursor(cursor, (str, uuid.UUID))  # a bad cursor is refused even for a download
        media = exports.wanted(request.headers.get("accept", ""), ("text/csv", exports.XLSX))
        if media is not None:
            return await exports.stream(api.db, register_export(actor, wanted, today, policies), media)
        rows, following = await register_page(api.db, actor, wanted, today, duty, limit_of(limit), after)
        items = [s.studio_view(r, today, policies) for r in rows]
        next_cursor = encode_cursor(following) if following else None
        return json_response(s.Page(items=items, next_cursor=next_cursor))
