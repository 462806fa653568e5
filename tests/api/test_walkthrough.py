"""One studio's whole life over HTTP, each answer checked, each read reflecting the last write."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.state import ApiState
from casework.bundles import Bundle, verify_bundle
from tests import builders as b
from tests.api import bodies
from tests.api.conftest import Tokens
from tests.api.helpers import settled


async def test_a_studio_from_application_to_revocation(
    client: AsyncTestClient[Litestar], tokens: Tokens, api_state: ApiState
) -> None:
    applicant = tokens.headers("applicant")
    reviewer = tokens.headers("county_reviewer")
    office = tokens.headers("city_office")
    finance = tokens.headers("finance")

    created = await client.post("/api/v1/studios", json=bodies.submission(), headers=applicant)
    assert created.status_code == 201, created.text
    studio = created.json()
    sid = studio["id"]
    assert created.headers["location"] == f"/api/v1/studios/{sid}"
    assert created.headers["etag"] == '"1"'
    assert studio["status"] == "submitted"
    assert studio["case_no"].startswith("WZJDS-2026-")
    assert studio["master"]["id_number"] == b.resident_id(1)[:4] + "*" * 14  # province and city only

    async def command(
        path: str, body: dict[str, Any], headers: dict[str, Any], status: int = 200
    ) -> dict[str, Any]:
        answer = await client.post(f"/api/v1/studios/{sid}/{path}", json=body, headers=headers)
        assert answer.status_code == status, answer.text
        result: dict[str, Any] = answer.json()
        # The same client's next query shows its write (read-your-writes).
        read = await client.get(f"/api/v1/studios/{sid}", headers=headers)
        assert read.status_code == 200
        assert read.json()["version"] == result["version"], "the next read shows the write"
        assert answer.headers["casework-position"].isdigit()
        assert read.headers["etag"] == f'"{result["version"]}"'
        assert read.headers["content-type"] == "application/json"
        assert int(read.headers["content-length"]) == len(read.content)
        return result

    assert (await command("county-review", bodies.APPROVE, reviewer))["status"] == "county_approved"
    assert (await command("assessment", bodies.ASSESS, office))["status"] == "assessed"
    awarded = await command("award", bodies.AWARD, office)
    assert awarded["status"] == "awarded"
    assert awarded["award"]["plaque_no"] == "WZ-2026-001"
    assert awarded["next_evaluation_due"] == "2028-05-08"
    paid = await command("subsidy-payments", bodies.payment(), finance)
    assert paid["subsidies"]["construction_paid"] == "30000.00"
    standard = await client.post(
        "/api/v1/policy/subsidy-standards", json=bodies.standard("2026-01-01"), headers=office
    )
    assert standard.status_code == 201, standard.text
    enrolled = await client.post(
        f"/api/v1/studios/{sid}/apprentices", json=bodies.apprentice(), headers=office
    )
    assert enrolled.status_code == 201, enrolled.text
    apprentice = enrolled.json()["apprentice_id"]
    qualified = await command(f"apprentices/{apprentice}/qualification", bodies.qualification(), office)
    assert qualified["training"] == {
        "per_award_year": [
            {
                "number": 1,
                "starts_on": "2026-05-08",
                "ends_on": "2027-05-07",
                "trained": 1,
                "completed": False,
            }
        ],
        "completed_years": 0,
        "average_per_year": None,
        "duty_per_year": 5,
        "shortfall": False,
    }
    subsidised = await command(
        "subsidy-payments", bodies.apprenticeship_payment(apprentice, "1000.00"), finance
    )
    assert subsidised["subsidies"]["apprenticeship_paid"] == "1000.00"
    evaluated = await command("evaluations", bodies.evaluation(55), office, status=201)
    assert (evaluated["base"], evaluated["total"], evaluated["grade"]) == ("55.0", "55.0", "fail")
    assert evaluated["last_evaluation"]["grade"] == "fail"
    ordered = await command(
        "rectification-orders", bodies.order(on="2026-11-21", deadline="2026-11-24"), office
    )
    assert ordered["status"] == "rectifying"
    assert ordered["open_rectification"]["overdue"] is True
    early = await client.post(f"/api/v1/studios/{sid}/revocation", json=bodies.revocation(), headers=office)
    assert early.status_code == 409, "a deadline that merely passed is not enough"
    assert early.json()["code"] == "revocation_precondition"
    reviewed = await command("rectification-reviews", bodies.review(False, on="2026-11-25"), office)
    assert reviewed["status"] == "rectifying"
    assert reviewed["open_rectification"]["last_reviewed_on"] == "2026-11-25"
    revoked = await command("revocation", bodies.revocation(on="2026-11-26"), office)
    assert revoked["status"] == "revoked"
    assert revoked["version"] == 12

    await settled(client)  # what follows is read by other clients: let the projections catch up
    history = await client.get(f"/api/v1/studios/{sid}/history", headers=tokens.headers("auditor"))
    assert [e["type"] for e in history.json()["items"]] == [
        "Submitted", "CountyApproved", "Assessed", "Awarded", "SubsidyPaid", "ApprenticeEnrolled",
        "ApprenticeQualified", "SubsidyPaid", "Evaluated", "RectificationOrdered", "RectificationReviewed",
        "Revoked",
    ]  # fmt: skip
    assert b.resident_id(1) not in history.text, "the history shows ID numbers protected"
    assert all(len(e["hash"]) == 64 for e in history.json()["items"])
    bundle = await client.get(f"/api/v1/studios/{sid}/history/bundle", headers=tokens.headers("auditor"))
    assert bundle.status_code == 200, bundle.text
    verdict = verify_bundle(
        msgspec.json.decode(bundle.content, type=Bundle),
        api_state.signer.public_key if api_state.signer else None,
    )
    assert verdict.ok, verdict
    assert verdict.events == 12
    integrity = await client.get("/api/v1/integrity", headers=tokens.headers("auditor"))
    assert integrity.json()["ok"] is True
    then = await client.get(f"/api/v1/studios/{sid}/state?version=4", headers=tokens.headers("auditor"))
    assert then.json()["studio"]["status"] == "awarded"
    audit = await client.get(f"/api/v1/audit?studio_id={sid}", headers=tokens.headers("auditor"))
    assert len(audit.json()["items"]) == 12
    balances = await client.get("/api/v1/ledger/balances?group_by=county", headers=finance)
    assert balances.json()["items"] == [
        {"county": "鹿城区", "committed": "31000.00", "paid": "31000.00", "reversed": "0.00",
         "released": "0.00", "outstanding": "0.00"}
    ]  # fmt: skip
