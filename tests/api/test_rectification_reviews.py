"""POST /studios/{id}/rectification-reviews: the check after the deadline (经限期整改后, 第七条(四)3),
and revocation on ground 3 only after a review on or after the deadline found the studio failing."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.api import bodies
from tests.api.conftest import TODAY, Tokens
from tests.api.helpers import studio_at

Client = AsyncTestClient[Litestar]

ORDERED, DEADLINE = "2026-11-21", "2026-11-24"  # a deadline already passed today (2026-11-26)


class Studio:
    """A studio driven by its office over HTTP."""

    def __init__(self, client: Client, tokens: Tokens, sid: str) -> None:
        self.client, self.sid, self.office = client, sid, tokens.headers("city_office")

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        return await self.client.post(f"/api/v1/studios/{self.sid}/{path}", json=body, headers=self.office)

    async def ok(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = await self.post(path, body)
        assert answer.status_code in (200, 201), answer.text
        result: dict[str, Any] = answer.json()
        return result

    async def refused(self, path: str, body: dict[str, Any], status: int, code: str) -> dict[str, Any]:
        before = (await self.read())["version"]
        answer = await self.post(path, body)
        assert answer.status_code == status, answer.text
        problem: dict[str, Any] = answer.json()
        assert problem["code"] == code
        assert (await self.read())["version"] == before, "a refusal records nothing"
        return problem

    async def read(self) -> dict[str, Any]:
        answer = await self.client.get(f"/api/v1/studios/{self.sid}", headers=self.office)
        studio: dict[str, Any] = answer.json()
        return studio


@pytest.fixture
async def rectifying(client: Client, tokens: Tokens) -> Studio:
    """An awarded studio that failed its evaluation and was ordered to rectify by DEADLINE."""
    awarded = await studio_at(client, tokens, "awarded")
    studio = Studio(client, tokens, awarded["id"])
    assert (await studio.ok("evaluations", bodies.evaluation(55)))["grade"] == "fail"
    ordered = await studio.ok("rectification-orders", bodies.order(on=ORDERED, deadline=DEADLINE))
    assert ordered["status"] == "rectifying"
    assert ordered["open_rectification"]["last_reviewed_on"] is None
    return studio


class TestRevocationAfterRectification:
    async def test_given_a_passed_deadline_and_no_review_when_revoking_then_409_revocation_precondition(
        self, rectifying: Studio
    ) -> None:
        assert (await rectifying.read())["open_rectification"]["overdue"] is True
        problem = await rectifying.refused("revocation", bodies.revocation(), 409, "revocation_precondition")
        assert "checked again" in problem["detail"]

    async def test_given_a_failed_review_before_the_deadline_when_revoking_then_409(
        self, rectifying: Studio
    ) -> None:
        reviewed = await rectifying.ok("rectification-reviews", bodies.review(False, on="2026-11-23"))
        assert reviewed["status"] == "rectifying"
        assert reviewed["open_rectification"]["last_reviewed_on"] == "2026-11-23"
        assert reviewed["open_rectification"]["last_review_passed"] is False
        await rectifying.refused("revocation", bodies.revocation(), 409, "revocation_precondition")

    @pytest.mark.parametrize("reviewed_on", [DEADLINE, "2026-11-25"])
    async def test_given_a_failed_review_on_or_after_the_deadline_when_revoking_then_revoked(
        self, rectifying: Studio, reviewed_on: str
    ) -> None:
        await rectifying.ok("rectification-reviews", bodies.review(False, on=reviewed_on))
        revoked = await rectifying.ok("revocation", bodies.revocation(on=TODAY.isoformat()))
        assert (revoked["status"], revoked["revocation_ground"]) == ("revoked", "failed_after_rectification")
        assert revoked["closed_on"] == TODAY.isoformat()

    async def test_given_a_failed_review_after_the_deadline_a_revocation_dated_before_it_is_409(
        self, rectifying: Studio
    ) -> None:
        await rectifying.ok("rectification-reviews", bodies.review(False, on="2026-11-25"))
        for before in ("2026-11-24", ORDERED, "2026-01-01"):
            await rectifying.refused(
                "revocation", bodies.revocation(on=before), 409, "revocation_precondition"
            )
        revoked = await rectifying.ok("revocation", bodies.revocation(on="2026-11-25"))
        assert revoked["closed_on"] == "2026-11-25"

    async def test_given_a_review_after_the_deadline_that_passed_then_the_studio_is_awarded_again(
        self, rectifying: Studio
    ) -> None:
        reviewed = await rectifying.ok("rectification-reviews", bodies.review(True, on="2026-11-25"))
        assert reviewed["status"] == "awarded"
        assert reviewed["open_rectification"] is None
        await rectifying.refused("revocation", bodies.revocation(), 409, "revocation_precondition")

    async def test_given_an_order_for_an_inspection_when_a_failed_review_follows_then_ground_3_is_refused(
        self, client: Client, tokens: Tokens
    ) -> None:
        awarded = await studio_at(client, tokens, "awarded")
        studio = Studio(client, tokens, awarded["id"])
        await studio.ok("rectification-orders", bodies.order("inspection", on=ORDERED, deadline=DEADLINE))
        await studio.ok("rectification-reviews", bodies.review(False, on="2026-11-25"))
        problem = await studio.refused("revocation", bodies.revocation(), 409, "revocation_precondition")
        assert "inspection" in problem["detail"]
        # The other grounds need no order at all.
        assert (await studio.ok("revocation", bodies.revocation("misconduct")))["status"] == "revoked"


class TestReviewRefusals:
    async def test_a_review_dated_before_the_order_is_409(self, rectifying: Studio) -> None:
        await rectifying.refused(
            "rectification-reviews", bodies.review(False, on="2026-11-20"), 409, "rectification_precondition"
        )

    async def test_a_review_of_a_studio_under_no_order_is_409(self, client: Client, tokens: Tokens) -> None:
        awarded = await studio_at(client, tokens, "awarded")
        studio = Studio(client, tokens, awarded["id"])
        await studio.refused("rectification-reviews", bodies.review(True), 409, "transition_not_allowed")

    async def test_a_review_dated_tomorrow_is_422_date_in_future(self, rectifying: Studio) -> None:
        problem = await rectifying.refused(
            "rectification-reviews", bodies.review(False, on="2026-11-27"), 422, "date_in_future"
        )
        assert problem["errors"][0]["field"] == "reviewed_on"

    @pytest.mark.parametrize(
        ("change", "field"), [({"findings": " "}, "findings"), ({"score": "111"}, "score")]
    )
    async def test_blank_findings_or_a_score_off_the_sheet_is_422(
        self, rectifying: Studio, change: dict[str, str], field: str
    ) -> None:
        problem = await rectifying.refused(
            "rectification-reviews", {**bodies.review(False), **change}, 422, "validation_failed"
        )
        assert problem["errors"][0]["field"] == field


class TestEvaluationDuringRectification:
    async def test_a_passing_evaluation_dated_after_the_order_ends_the_rectification(
        self, rectifying: Studio
    ) -> None:
        again = await rectifying.ok("evaluations", bodies.evaluation(75, on="2026-11-22"))
        assert (again["grade"], again["status"]) == ("pass", "awarded")

    async def test_a_passing_evaluation_dated_before_the_order_does_not_end_it(
        self, rectifying: Studio
    ) -> None:
        earlier = await rectifying.ok("evaluations", bodies.evaluation(75, on="2026-11-20"))
        assert (earlier["grade"], earlier["status"]) == ("pass", "rectifying")
