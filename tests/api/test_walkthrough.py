"""One studio's whole life over HTTP, each answer checked, each read reflecting the last write."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.state import ApiState
from casework.integrity import Bundle, verify_bundle
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
    assert studio["master"]["id_number"] == b.resident_id(1)[:4] + "*" * 10 + b.resident_id(1)[-4:]

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
    enrolled = await client.post(
        f"/api/v1/studios/{sid}/apprentices",
        json={"name": "小王", "id_number": b.resident_id(77, "20000101"), "born_on": "2000-01-01",
              "agreement_signed_on": "2026-06-10"},
        headers=office,
    )  # fmt: skip
    assert enrolled.status_code == 201, enrolled.text
    apprentice = enrolled.json()["apprentice_id"]
    qualified = await command(
        f"apprentices/{apprentice}/qualification",
        {"grade": "中级工", "certificate_no": "Z1", "qualified_on": "2026-10-01"},
        office,
    )
    assert qualified["training"]["per_year"] == {"2026": 1}
    assert qualified["training"]["shortfall"] is True
    evaluated = await command("evaluations", bodies.evaluation(55), office, status=201)
    assert (evaluated["base"], evaluated["total"], evaluated["grade"]) == ("55.0", "55.0", "fail")
    assert evaluated["last_evaluation"]["grade"] == "fail"
    ordered = await command(
        "rectification-orders",
        {
            "reason": "failed_evaluation",
            "findings": "带徒台账缺失",
            "ordered_on": "2026-11-21",
            "deadline": "2026-11-25",
        },
        office,
    )
    assert ordered["status"] == "rectifying"
    assert ordered["open_rectification"]["overdue"] is True
    revoked = await command(
        "revocation",
        {"ground": "failed_after_rectification", "note": "整改后仍不合格", "decided_on": "2026-11-26"},
        office,
    )
    assert revoked["status"] == "revoked"
    assert revoked["version"] == 10

    await settled(client)  # what follows is read by other clients: let the projections catch up
    history = await client.get(f"/api/v1/studios/{sid}/history", headers=tokens.headers("auditor"))
    assert [e["type"] for e in history.json()["items"]] == [
        "Submitted", "CountyApproved", "Assessed", "Awarded", "SubsidyPaid", "ApprenticeEnrolled",
        "ApprenticeQualified", "Evaluated", "RectificationOrdered", "Revoked",
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
    assert verdict.events == 10
    integrity = await client.get("/api/v1/integrity", headers=tokens.headers("auditor"))
    assert integrity.json()["ok"] is True
    then = await client.get(f"/api/v1/studios/{sid}/state?version=4", headers=tokens.headers("auditor"))
    assert then.json()["studio"]["status"] == "awarded"
    audit = await client.get(f"/api/v1/audit?studio_id={sid}", headers=tokens.headers("auditor"))
    assert len(audit.json()["items"]) == 10
    balances = await client.get("/api/v1/ledger/balances?group_by=county", headers=finance)
    assert balances.json()["items"] == [
        {"county": "鹿城区", "committed": "30000.00", "paid": "30000.00", "reversed": "0.00",
         "released": "0.00", "outstanding": "0.00"}
    ]  # fmt: skip
