"""POST /studios/{id}/honours (第六条(三)(五)): recorded, shown on the studio, filtered in the
register, and listed as the evidence beside an evaluation's `award` bonus."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.api import bodies
from tests.api.conftest import Tokens
from tests.api.helpers import settled, studio_at

Client = AsyncTestClient[Litestar]


async def honour(client: Client, tokens: Tokens, sid: str, body: dict[str, Any]) -> Any:
    return await client.post(
        f"/api/v1/studios/{sid}/honours", json=body, headers=tokens.headers("city_office")
    )


async def test_an_honour_of_the_master_is_201_with_its_id_and_shown_on_the_studio(
    client: Client, tokens: Tokens
) -> None:
    studio = await studio_at(client, tokens, "awarded")
    answer = await honour(client, tokens, studio["id"], bodies.honour(name="瓯江技能大奖", on="2026-09-01"))
    assert answer.status_code == 201, answer.text
    recorded = answer.json()
    assert recorded["honour_id"]
    assert recorded["version"] == studio["version"] + 1
    shown = {
        "person": "master", "person_name": "张1", "honour": "瓯江技能大奖", "level": "city",
        "conferred_on": "2026-09-01", "document_no": "温政发〔2026〕12号",
    }  # fmt: skip
    assert recorded["honours"] == [shown]
    await settled(client)
    read = await client.get(f"/api/v1/studios/{studio['id']}", headers=tokens.headers("auditor"))
    assert read.json()["honours"] == [shown]


async def test_members_and_apprentices_are_named_by_their_place_in_the_studio(
    client: Client, tokens: Tokens
) -> None:
    studio = await studio_at(client, tokens, "awarded")
    enrolled = await client.post(
        f"/api/v1/studios/{studio['id']}/apprentices",
        json=bodies.apprentice(),
        headers=tokens.headers("city_office"),
    )
    apprentice = enrolled.json()["apprentice_id"]
    first = await honour(
        client, tokens, studio["id"], bodies.honour("member-1", "浙江省首席技师", "province")
    )
    assert first.status_code == 201, first.text
    second = await honour(client, tokens, studio["id"], bodies.honour(apprentice, "中华技能大奖", "national"))
    assert second.status_code == 201, second.text
    assert [(h["person"], h["person_name"], h["level"]) for h in second.json()["honours"]] == [
        ("member-1", "李四", "province"),
        (apprentice, "学徒77", "national"),
    ]


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"person": "member-2"}, 409, "person_not_found", None),
        ({"person": "somebody"}, 409, "person_not_found", None),
        ({"level": "county"}, 422, "validation_failed", None),
        ({"honour": " "}, 422, "validation_failed", "honour"),
        ({"document_no": ""}, 422, "validation_failed", "document_no"),
        ({"conferred_on": "2026-11-27"}, 422, "date_in_future", "conferred_on"),
    ],
)
async def test_a_wrong_honour_is_refused_naming_the_rule_and_records_nothing(
    client: Client, tokens: Tokens, change: dict[str, str], status: int, code: str, field: str | None
) -> None:
    studio = await studio_at(client, tokens, "awarded")
    answer = await honour(client, tokens, studio["id"], {**bodies.honour(), **change})
    assert answer.status_code == status, answer.text
    assert answer.json()["code"] == code
    if field is not None:
        assert answer.json()["errors"][0]["field"] == field
    read = await client.get(f"/api/v1/studios/{studio['id']}", headers=tokens.headers("city_office"))
    assert (read.json()["version"], read.json()["honours"]) == (studio["version"], [])


async def test_an_honour_before_the_award_is_409(client: Client, tokens: Tokens) -> None:
    studio = await studio_at(client, tokens, "assessed")
    answer = await honour(client, tokens, studio["id"], bodies.honour())
    assert answer.status_code == 409, answer.text
    assert answer.json()["code"] == "transition_not_allowed"


async def test_the_register_filters_studios_with_and_without_honours(client: Client, tokens: Tokens) -> None:
    honoured = await studio_at(client, tokens, "awarded", serial=1)
    plain = await studio_at(client, tokens, "awarded", serial=2)
    assert (await honour(client, tokens, honoured["id"], bodies.honour())).status_code == 201
    await settled(client)
    office = tokens.headers("city_office")

    async def ids(query: str) -> list[str]:
        answer = await client.get(f"/api/v1/studios?{query}", headers=office)
        assert answer.status_code == 200, answer.text
        return [s["id"] for s in answer.json()["items"]]

    assert await ids("has_honour=true") == [honoured["id"]]
    assert await ids("has_honour=false") == [plain["id"]]
    assert sorted(await ids("")) == sorted([honoured["id"], plain["id"]])


async def test_an_evaluation_lists_the_honours_of_its_period_as_the_evidence_of_its_award_bonus(
    client: Client, tokens: Tokens
) -> None:
    studio = await studio_at(client, tokens, "awarded")
    sid = studio["id"]
    for body in (
        bodies.honour(name="温州市首席技师", on="2025-12-01"),
        bodies.honour(name="瓯江技能大奖", on="2026-09-01"),
    ):
        assert (await honour(client, tokens, sid, body)).status_code == 201
    sheet = {**bodies.evaluation(80), "bonus": [{"kind": "award", "points": "3", "note": "瓯江技能大奖"}]}
    evaluated = await client.post(
        f"/api/v1/studios/{sid}/evaluations", json=sheet, headers=tokens.headers("city_office")
    )
    assert evaluated.status_code == 201, evaluated.text
    last = evaluated.json()["last_evaluation"]
    assert (last["period"], last["bonus"], last["total"]) == ("2026-2027", "3.0", "83.0")
    assert [h["honour"] for h in last["award_evidence"]] == ["瓯江技能大奖"], "only the honours of 2026-2027"
