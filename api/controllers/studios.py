"""The studios resource: the commands on a studio, the register, and one studio."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import Parameter

from api import commands as build
from api import schemas as s
from api.access import require
from api.controllers.common import (
    JsonAnswer,
    api_state,
    csv_response,
    decode_cursor,
    documented,
    encode_cursor,
    flat,
    json_response,
    limit_of,
    run_command,
    studio_uuid,
    wants_csv,
)
from api.errors import ProblemError
from api.queries.studios import RegisterFilter, one_studio, register_all, register_page
from casework.domain import commands as c
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

        def command(api: Any) -> c.StudioCommand:
            today = api.today()
            cmd = build.submission(api.vault, data, uuid.uuid4(), "", today)
            # Numbered only once the body is known to be well-formed enough to build.
            return c.Submit(
                studio_id=cmd.studio_id,
                proposal=cmd.proposal,
                case_no=api.app.new_case_no(today),
                submitted_on=today,
            )

        return await run_command(request, actor, "submit_application", command, created=True)

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
            request,
            actor,
            "amend_application",
            lambda api: build.amendment(api.vault, data, sid, api.today()),
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
        return await run_command(
            request,
            actor,
            "withdraw_application",
            lambda api: c.Withdraw(studio_id=sid, reason=data.reason, withdrawn_on=api.today()),
        )

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
            request, actor, "review_at_county", lambda api: build.county_review(data, actor, sid, api.today())
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
        return await run_command(
            request,
            actor,
            "record_assessment",
            lambda api: c.Assess(
                studio_id=sid,
                panel=tuple(data.panel),
                opinion=data.opinion,
                recommended=data.recommended,
                assessed_on=api.today(),
                score=data.score,
            ),
        )

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
        return await run_command(
            request,
            actor,
            "award_studio",
            lambda api: c.Award(
                studio_id=sid,
                decision_no=data.decision_no,
                published_on=data.published_on,
                plaque_no=data.plaque_no,
            ),
        )

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
        return await run_command(
            request, actor, "record_subsidy_payment", lambda api: build.payment(data, sid)
        )

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
        return await run_command(
            request,
            actor,
            "reverse_subsidy_payment",
            lambda api: c.ReverseSubsidy(
                studio_id=sid,
                voucher_no=data.voucher_no,
                reason=data.reason,
                reversed_on=data.reversed_on or api.today(),
            ),
        )

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
        enrolled: list[c.EnrollApprentice] = []

        def command(api: Any) -> c.StudioCommand:
            cmd = build.enrolment(api.vault, data, sid, api.today())
            enrolled.append(cmd)
            return cmd

        def answer(view: s.StudioView, outcome: Any) -> s.ApprenticeAnswer:
            return s.ApprenticeAnswer(**_fields(view), apprentice_id=outcome.events[-1].apprentice_id)

        return await run_command(request, actor, "enrol_apprentice", command, created=True, answer=answer)

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
        return await run_command(
            request,
            actor,
            "record_qualification",
            lambda api: c.RecordQualification(
                studio_id=sid,
                apprentice_id=apprentice_id,
                grade=data.grade,
                certificate_no=data.certificate_no,
                qualified_on=data.qualified_on,
            ),
        )

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
        return await run_command(
            request,
            actor,
            "record_inspection",
            lambda api: c.Inspect(
                studio_id=sid,
                inspector=data.inspector,
                findings=data.findings,
                inspected_on=data.inspected_on,
            ),
        )

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

        def answer(view: s.StudioView, outcome: Any) -> s.EvaluationAnswer:
            event = outcome.events[-1]
            return s.EvaluationAnswer(
                **_fields(view),
                base=event.base,
                bonus_total=event.bonus_total,
                total=event.total,
                grade=event.grade,
            )

        return await run_command(
            request,
            actor,
            "record_evaluation",
            lambda api: build.evaluation(data, sid),
            created=True,
            answer=answer,
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
        return await run_command(
            request,
            actor,
            "order_rectification",
            lambda api: c.OrderRectification(
                studio_id=sid,
                reason=data.reason,
                findings=data.findings,
                ordered_on=data.ordered_on,
                deadline=data.deadline,
            ),
        )

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
        return await run_command(
            request, actor, "review_rectification", lambda api: build.rectification_review(data, sid)
        )

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
        recorded: list[c.RecordHonour] = []

        def command(api: Any) -> c.StudioCommand:
            cmd = build.honour(data, sid)
            recorded.append(cmd)
            return cmd

        def answer(view: s.StudioView, outcome: Any) -> s.HonourAnswer:
            return s.HonourAnswer(**_fields(view), honour_id=outcome.events[-1].honour_id)

        return await run_command(request, actor, "record_honour", command, created=True, answer=answer)

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
        return await run_command(
            request,
            actor,
            "revoke_studio",
            lambda api: c.Revoke(
                studio_id=sid, ground=data.ground, note=data.note, decided_on=data.decided_on
            ),
        )

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
        return await run_command(
            request,
            actor,
            "recommend_to_province",
            lambda api: c.RecommendToProvince(
                studio_id=sid, year=data.year, note=data.note, recommended_on=api.today()
            ),
        )

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

    @get("/", operation_id="list_studios", responses=documented(200, s.StudioPage, command=False))
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
    ) -> Response[bytes]:
        """The register, filtered; a county role sees its own county only."""
        require(actor, "list_studios")
        api = api_state(request)
        today = api.today()
        duty = api.app.policies.on(today).training_duty_per_year
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
        if wants_csv(request):
            decode_cursor(cursor, (str, uuid.UUID))  # a bad cursor is refused even here
            rows = await register_all(api.db, actor, wanted, today, duty)
            views = [flat(s.studio_view(r, today, api.app.policies)) for r in rows]
            return csv_response(views, REGISTER_CSV, "register.csv")
        after = decode_cursor(cursor, (str, uuid.UUID))
        rows, following = await register_page(api.db, actor, wanted, today, duty, limit_of(limit), after)
        items = [s.studio_view(r, today, api.app.policies) for r in rows]
        next_cursor = encode_cursor(following) if following else None
        return json_response(s.Page(items=items, next_cursor=next_cursor))


REGISTER_CSV = (
    "case_no",
    "name",
    "status",
    "level",
    "county",
    "occupation",
    "host",
    "host_credit_code",
    "master",
    "master_id_number",
    "award_published_on",
    "construction_paid",
    "apprenticeship_paid",
    "training_average",
    "training_shortfall",
    "last_grade",
    "last_total",
    "rectification_deadline",
    "next_evaluation_due",
    "version",
    "id",
)


def _fields(view: s.StudioView) -> dict[str, Any]:
    return {f: getattr(view, f) for f in view.__struct_fields__}
