"""Enrolling apprentices: the birth date is read from the ID number (never typed), and the
agreement is optional, since apprentices trained through other channels count too (多渠道)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests import builders as b
from tests.api import bodies
from tests.api.conftest import Tokens
from tests.api.helpers import studio_at

Client = AsyncTestClient[Litestar]


async def enrol(client: Client, tokens: Tokens, sid: str, body: dict[str, Any]) -> Any:
    return await client.post(
        f"/api/v1/studios/{sid}/apprentices", json=body, headers=tokens.headers("city_office")
    )


async def test_an_apprentice_without_a_birth_date_or_an_agreement_is_enrolled_and_counted(
    client: Client, tokens: Tokens
) -> None:
    studio = await studio_at(client, tokens, "awarded")
    body = bodies.apprentice(agreement=None, enrolled="2026-06-01")
    assert set(body) == {"name", "id_number", "enrolled_on"}
    enrolled = await enrol(client, tokens, studio["id"], body)
    assert enrolled.status_code == 201, enrolled.text
    assert enrolled.json()["version"] == studio["version"] + 1
    apprentice = enrolled.json()["apprentice_id"]
    qualified = await client.post(
        f"/api/v1/studios/{studio['id']}/apprentices/{apprentice}/qualification",
        json=bodies.qualification(on="2026-09-01"),
        headers=tokens.headers("city_office"),
    )
    assert qualified.status_code == 200, qualified.text
    assert [y["trained"] for y in qualified.json()["training"]["per_award_year"]] == [1]


async def test_an_apprentice_of_35_on_the_qualification_date_is_not_young_and_does_not_count(
    client: Client, tokens: Tokens
) -> None:
    studio = await studio_at(client, tokens, "awarded")
    # Born 1 September 1991: 35 on 1 September 2026, 34 the day before.
    for serial, qualified_on in ((91, "2026-08-31"), (92, "2026-09-01")):
        enrolled = await enrol(client, tokens, studio["id"], bodies.apprentice(serial, born="19910901"))
        answer = await client.post(
            f"/api/v1/studios/{studio['id']}/apprentices/{enrolled.json()['apprentice_id']}/qualification",
            json=bodies.qualification(on=qualified_on, certificate=f"Z{serial}"),
            headers=tokens.headers("city_office"),
        )
        assert answer.status_code == 200, answer.text
    assert [y["trained"] for y in answer.json()["training"]["per_award_year"]] == [1]


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"born_on": "2000-01-01"}, "validation_failed", None),  # no longer typed in
        ({"id_number": "330302200001010010"}, "invalid_id_number", "id_number"),
        ({"name": " "}, "validation_failed", "name"),
        # An agreement before the measures took effect (第八条), or before the birth date in the ID number.
        ({"agreement_signed_on": "2013-05-07"}, "validation_failed", "agreement_signed_on"),
        (
            {"id_number": b.resident_id(77, "20150101"), "agreement_signed_on": "2014-06-01"},
            "validation_failed",
            "agreement_signed_on",
        ),
    ],
)
async def test_a_wrong_enrolment_is_422_and_enrols_nobody(
    client: Client, tokens: Tokens, change: dict[str, str], code: str, field: str | None
) -> None:
    studio = await studio_at(client, tokens, "awarded")
    answer = await enrol(client, tokens, studio["id"], {**bodies.apprentice(), **change})
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == code
    if field is not None:
        assert answer.json()["errors"][0]["field"] == field
    read = await client.get(f"/api/v1/studios/{studio['id']}", headers=tokens.headers("city_office"))
    assert read.json()["version"] == studio["version"]
