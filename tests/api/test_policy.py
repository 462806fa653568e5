"""The policy over HTTP: the subsidy standards the city office records (第六条(一) 现有补助标准),
the apprenticeship payments judged by the standard in force on their date, and GET /policy."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from casework.domain.policy import MEASURES_2013, NOTES, PolicyTable
from casework.domain.rules import ROLES
from tests.api import bodies
from tests.api.conftest import Tokens
from tests.api.helpers import settled, studio_at, subsidy_standard

Client = AsyncTestClient[Litestar]
STANDARDS = "/api/v1/policy/subsidy-standards"


async def qualified_apprentice(
    client: Client,
    tokens: Tokens,
    sid: str,
    serial: int = 77,
    qualified_on: str = "2026-09-15",
    agreement: str | None = "2026-06-10",
    enrolled: str | None = None,
) -> str:
    """An apprentice enrolled in studio ``sid`` who reached 中级工 on ``qualified_on``."""
    office = tokens.headers("city_office")
    enrolled = await client.post(
        f"/api/v1/studios/{sid}/apprentices",
        json=bodies.apprentice(serial, agreement=agreement, enrolled=enrolled),
        headers=office,
    )
    assert enrolled.status_code == 201, enrolled.text
    apprentice: str = enrolled.json()["apprentice_id"]
    qualified = await client.post(
        f"/api/v1/studios/{sid}/apprentices/{apprentice}/qualification",
        json=bodies.qualification(on=qualified_on, certificate=f"Z{serial}"),
        headers=office,
    )
    assert qualified.status_code == 200, qualified.text
    return apprentice


async def pay(client: Client, tokens: Tokens, sid: str, body: dict[str, Any]) -> Any:
    return await client.post(
        f"/api/v1/studios/{sid}/subsidy-payments", json=body, headers=tokens.headers("finance")
    )


class TestSubsidyStandards:
    async def test_the_city_office_records_a_standard_201_and_the_policy_lists_it(
        self, client: Client, tokens: Tokens
    ) -> None:
        answer = await client.post(
            STANDARDS, json=bodies.standard("2026-10-01"), headers=tokens.headers("city_office")
        )
        assert answer.status_code == 201, answer.text
        recorded = answer.json()
        assert recorded == {
            "in_force_from": "2026-10-01",
            "document_no": "温人社发〔2013〕201号",
            "rates": bodies.RATES,
            "position": int(answer.headers["casework-position"]),
        }
        assert answer.headers["location"] == "/api/v1/policy?on=2026-10-01"
        policy = (await client.get("/api/v1/policy", headers=tokens.headers("finance"))).json()
        assert [(s["in_force_from"], s["rates"]) for s in policy["subsidy_standards"]] == [
            ("2026-10-01", bodies.RATES)
        ]
        assert policy["subsidy_standard_in_force"]["in_force_from"] == "2026-10-01"
        before = (await client.get("/api/v1/policy?on=2026-09-30", headers=tokens.headers("finance"))).json()
        assert before["subsidy_standard_in_force"] is None
        assert len(before["subsidy_standards"]) == 1, "every standard is listed, whatever the date"

    @pytest.mark.parametrize("role", sorted(set(ROLES) - {"city_office"}))
    async def test_no_other_role_records_a_standard(self, client: Client, tokens: Tokens, role: str) -> None:
        answer = await client.post(STANDARDS, json=bodies.standard(), headers=tokens.headers(role))
        assert answer.status_code == 403, answer.text
        assert answer.json()["code"] == "not_permitted"
        policy = (await client.get("/api/v1/policy", headers=tokens.headers(role))).json()
        assert policy["subsidy_standards"] == []

    @pytest.mark.parametrize(
        ("change", "code", "field"),
        [
            ({"rates": {"初级工": "500.00"}}, "validation_failed", "rates.初级工"),
            ({"rates": {"中级工": "abc"}}, "validation_failed", "rates.中级工"),
            ({"rates": {"中级工": "1000.001"}}, "validation_failed", "rates.中级工"),
            ({"rates": {"中级工": "0.00"}}, "validation_failed", "rates.中级工"),
            ({"rates": {}}, "validation_failed", "rates"),
            ({"document_no": " "}, "validation_failed", "document_no"),
            ({"in_force_from": "2026-11-27"}, "date_in_future", "in_force_from"),
        ],
    )
    async def test_a_wrong_standard_is_422_naming_the_field_and_records_nothing(
        self, client: Client, tokens: Tokens, change: dict[str, Any], code: str, field: str
    ) -> None:
        answer = await client.post(
            STANDARDS, json={**bodies.standard(), **change}, headers=tokens.headers("city_office")
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == code
        assert answer.json()["errors"][0]["field"] == field
        policy = (await client.get("/api/v1/policy", headers=tokens.headers("city_office"))).json()
        assert policy["subsidy_standards"] == []

    async def test_a_standard_is_never_edited_a_new_one_starts_after_the_latest(
        self, client: Client, tokens: Tokens
    ) -> None:
        await subsidy_standard(client, tokens, "2026-10-01")
        for day in ("2026-10-01", "2026-09-01"):
            answer = await client.post(
                STANDARDS, json=bodies.standard(day), headers=tokens.headers("city_office")
            )
            assert answer.status_code == 409, answer.text
            assert answer.json()["code"] == "transition_not_allowed"
        await subsidy_standard(client, tokens, "2026-10-02")


class TestApprenticeshipPayments:
    async def test_with_no_standard_recorded_a_payment_is_409_no_subsidy_standard(
        self, client: Client, tokens: Tokens
    ) -> None:
        studio = await studio_at(client, tokens, "awarded")
        apprentice = await qualified_apprentice(client, tokens, studio["id"])
        answer = await pay(client, tokens, studio["id"], bodies.apprenticeship_payment(apprentice, "1000.00"))
        assert answer.status_code == 409, answer.text
        assert answer.json()["code"] == "no_subsidy_standard"

    async def test_a_payment_dated_before_the_standard_is_refused_and_one_on_its_first_day_is_paid(
        self, client: Client, tokens: Tokens
    ) -> None:
        studio = await studio_at(client, tokens, "awarded")
        apprentice = await qualified_apprentice(client, tokens, studio["id"])
        await subsidy_standard(client, tokens, "2026-10-01")
        early = await pay(
            client,
            tokens,
            studio["id"],
            bodies.apprenticeship_payment(apprentice, "1000.00", on="2026-09-30"),
        )
        assert early.status_code == 409, early.text
        assert early.json()["code"] == "no_subsidy_standard"
        paid = await pay(
            client,
            tokens,
            studio["id"],
            bodies.apprenticeship_payment(apprentice, "1000.00", on="2026-10-01"),
        )
        assert paid.status_code == 200, paid.text
        assert paid.json()["subsidies"]["apprenticeship_paid"] == "1000.00"

    async def test_the_amount_is_the_rate_of_the_standard_in_force_on_the_payment_date(
        self, client: Client, tokens: Tokens
    ) -> None:
        studio = await studio_at(client, tokens, "awarded")
        sid = studio["id"]
        first = await qualified_apprentice(client, tokens, sid, serial=77)
        second = await qualified_apprentice(client, tokens, sid, serial=78)
        await subsidy_standard(client, tokens, "2026-10-01")
        await subsidy_standard(client, tokens, "2026-11-01", {"中级工": "1200.00"})
        old = await pay(
            client, tokens, sid, bodies.apprenticeship_payment(first, "1000.00", "GK-A-1", "2026-10-31")
        )
        assert old.status_code == 200, old.text
        wrong = await pay(
            client, tokens, sid, bodies.apprenticeship_payment(second, "1000.00", "GK-A-2", "2026-11-01")
        )
        assert wrong.status_code == 422, wrong.text
        assert (wrong.json()["code"], wrong.json()["errors"][0]["field"]) == (
            "wrong_subsidy_amount",
            "amount",
        )
        assert "1200.00" in wrong.json()["detail"]
        new = await pay(
            client, tokens, sid, bodies.apprenticeship_payment(second, "1200.00", "GK-A-2", "2026-11-01")
        )
        assert new.status_code == 200, new.text
        assert new.json()["subsidies"]["apprenticeship_paid"] == "2200.00"

    async def test_a_standard_that_pays_no_rate_for_the_grade_is_409_no_subsidy_standard(
        self, client: Client, tokens: Tokens
    ) -> None:
        studio = await studio_at(client, tokens, "awarded")
        apprentice = await qualified_apprentice(client, tokens, studio["id"])
        await subsidy_standard(client, tokens, "2026-10-01", {"高级工": "1500.00"})
        answer = await pay(client, tokens, studio["id"], bodies.apprenticeship_payment(apprentice, "1000.00"))
        assert answer.status_code == 409, answer.text
        assert answer.json()["code"] == "no_subsidy_standard"

    async def test_an_apprentice_trained_without_an_agreement_counts_but_is_not_paid(
        self, client: Client, tokens: Tokens
    ) -> None:
        studio = await studio_at(client, tokens, "awarded")
        apprentice = await qualified_apprentice(
            client, tokens, studio["id"], agreement=None, enrolled="2026-06-10"
        )
        await subsidy_standard(client, tokens)
        answer = await pay(client, tokens, studio["id"], bodies.apprenticeship_payment(apprentice, "1000.00"))
        assert answer.status_code == 409, answer.text
        assert answer.json()["code"] == "apprenticeship_subsidy_not_due"
        read = await client.get(f"/api/v1/studios/{studio['id']}", headers=tokens.headers("city_office"))
        assert read.json()["training"]["per_award_year"][0]["trained"] == 1


# The policy choices the README lists as ours, where the measures are silent.
CHOICES = {
    "score_step", "grade_bands", "bonus_counts_toward_grade", "young_under_age",
    "one_active_studio_per_master", "recommendable_grades", "county_evaluation_due",
    "city_office_may_submit",
}  # fmt: skip


class TestPolicyOnADate:
    async def test_every_value_is_shown_with_the_article_it_interprets_and_whether_it_is_ours(
        self, client: Client, tokens: Tokens
    ) -> None:
        answer = await client.get("/api/v1/policy", headers=tokens.headers("applicant"))
        assert answer.status_code == 200, answer.text
        policy = answer.json()
        assert (policy["on"], policy["in_force_from"], policy["document"]) == (
            "2026-11-26",
            "2013-05-08",
            "温人社发〔2013〕200号",
        )
        values = {v["name"]: v for v in policy["values"]}
        assert set(values) == {name.removesuffix("_fen") for name in NOTES}
        assert all(v["article"] and v["meaning"] for v in values.values())
        assert {name for name, v in values.items() if v["policy_choice"]} == CHOICES
        assert (values["young_under_age"]["value"], values["young_under_age"]["article"]) == (
            35,
            "第三条(二)",
        )
        assert values["training_duty_per_year"]["value"] == 5
        assert values["grade_bands"]["value"] == [["90", "excellent"], ["80", "good"], ["60", "pass"]]
        assert values["recommendable_grades"]["value"] == ["excellent", "good"]
        assert values["county_evaluation_due"]["value"] is False

    async def test_a_date_that_is_no_date_is_refused(self, client: Client, tokens: Tokens) -> None:
        answer = await client.get("/api/v1/policy?on=2026-02-30", headers=tokens.headers("auditor"))
        assert answer.status_code in (400, 422), answer.text


# A made-up second revision, for the tests only: from 1 July 2026 a studio trains six a year,
# and 青年 means under 40.
REVISED = msgspec.structs.replace(
    MEASURES_2013,
    in_force_from=MEASURES_2013.in_force_from.replace(year=2026, month=7, day=1),
    document="温人社发〔2026〕999号（测试用修订）",
    training_duty_per_year=6,
    young_under_age=40,
)


class TestARevisionOfTheMeasures:
    @pytest.fixture
    def policies(self) -> PolicyTable:
        return PolicyTable(revisions=(MEASURES_2013, REVISED))

    @pytest.mark.parametrize(
        ("query", "document", "duty"),
        [
            ("?on=2026-06-30", "温人社发〔2013〕200号", 5),
            ("?on=2026-07-01", "温人社发〔2026〕999号（测试用修订）", 6),
            ("", "温人社发〔2026〕999号（测试用修订）", 6),
            ("?on=2013-05-08", "温人社发〔2013〕200号", 5),
        ],
    )
    async def test_on_picks_the_revision_in_force_that_day(
        self, client: Client, tokens: Tokens, query: str, document: str, duty: int
    ) -> None:
        policy = (await client.get(f"/api/v1/policy{query}", headers=tokens.headers("auditor"))).json()
        assert policy["document"] == document
        assert {v["name"]: v["value"] for v in policy["values"]}["training_duty_per_year"] == duty

    async def test_a_qualification_is_judged_young_by_the_revision_in_force_on_its_date(
        self, client: Client, tokens: Tokens
    ) -> None:
        studio = await studio_at(client, tokens, "awarded")
        office = tokens.headers("city_office")
        for serial, qualified_on in ((81, "2026-06-30"), (82, "2026-07-02")):
            # Born 1 January 1990: 36 on both dates, young only under the revision (under 40).
            enrolled = await client.post(
                f"/api/v1/studios/{studio['id']}/apprentices",
                json=bodies.apprentice(serial, born="19900101"),
                headers=office,
            )
            apprentice = enrolled.json()["apprentice_id"]
            answer = await client.post(
                f"/api/v1/studios/{studio['id']}/apprentices/{apprentice}/qualification",
                json=bodies.qualification(on=qualified_on, certificate=f"Z{serial}"),
                headers=office,
            )
            assert answer.status_code == 200, answer.text
        await settled(client)
        read = (await client.get(f"/api/v1/studios/{studio['id']}", headers=office)).json()
        assert [y["trained"] for y in read["training"]["per_award_year"]] == [1]


async def test_the_policy_shows_money_as_yuan(client: AsyncTestClient[Litestar], tokens: Tokens) -> None:
    answer = await client.get("/api/v1/policy", headers=tokens.headers("auditor"))
    values = {v["name"]: v["value"] for v in answer.json()["values"]}
    assert values["construction_subsidy"] == "30000.00"
    assert not any(name.endswith("_fen") for name in values)
