"""Cursor pagination, and CSV exports that Excel opens with their Chinese text intact."""

from __future__ import annotations

import csv
import io

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.api import bodies
from tests.api.conftest import Tokens
from tests.api.helpers import studio_at

Client = AsyncTestClient[Litestar]


async def test_the_register_pages_with_a_cursor(client: Client, tokens: Tokens) -> None:
    made = {(await studio_at(client, tokens, "submitted", serial=n))["id"] for n in range(1, 6)}
    office = tokens.headers("city_office")
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        url = "/api/v1/studios?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(url, headers=office)).json()
        seen += [s["id"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 5
    assert set(seen) == made
    bad = await client.get("/api/v1/studios?cursor=zzz", headers=office)
    assert bad.status_code == 422
    too_many = await client.get("/api/v1/studios?limit=501", headers=office)
    assert too_many.status_code == 422


async def test_the_register_filters_and_finds_names(client: Client, tokens: Tokens) -> None:
    # Awarded a year and a half ago: one completed award year, and nobody trained in it.
    await studio_at(client, tokens, "awarded", serial=1, award={**bodies.AWARD, "published_on": "2025-05-08"})
    await studio_at(client, tokens, "submitted", serial=2, county="瑞安市")
    office = tokens.headers("city_office")

    async def ids(query: str) -> int:
        return len((await client.get(f"/api/v1/studios?{query}", headers=office)).json()["items"])

    assert await ids("status=awarded") == 1
    assert await ids("county=瑞安市") == 1
    assert await ids("q=张1") == 1
    assert await ids("q=数控车工") == 2
    assert await ids("q=焊工") == 0
    assert await ids("training_shortfall=true") == 1
    assert await ids("training_shortfall=false") == 1
    assert await ids("level=county") == 0


@pytest.mark.parametrize(
    ("path", "role", "header"),
    [
        ("/api/v1/studios", "city_office", "case_no"),
        ("/api/v1/audit", "auditor", "position"),
        ("/api/v1/ledger/entries", "finance", "position"),
        ("/api/v1/ledger/balances?group_by=county", "finance", "county"),
        ("/api/v1/reports/due?within_days=800", "city_office", "report"),
        ("/api/v1/reports/summary", "auditor", "county"),
    ],
)
async def test_exports_are_utf8_csv_with_a_bom(
    client: Client, tokens: Tokens, path: str, role: str, header: str
) -> None:
    await studio_at(client, tokens, "paid")
    answer = await client.get(path, headers=tokens.headers(role, Accept="text/csv"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][0] == header
    assert len(rows) >= 2
    assert "鹿城区" in answer.content.decode("utf-8-sig")


async def test_a_studio_as_it_stood_at_a_recorded_time(client: Client, tokens: Tokens) -> None:
    studio = await studio_at(client, tokens, "awarded")
    auditor = tokens.headers("auditor")
    history = (await client.get(f"/api/v1/studios/{studio['id']}/history", headers=auditor)).json()["items"]
    second = history[1]
    then = await client.get(
        f"/api/v1/studios/{studio['id']}/state", params={"as_of": second["recorded_at"]}, headers=auditor
    )
    assert then.status_code == 200, then.text
    body = then.json()
    assert (body["version"], body["studio"]["status"]) == (2, "county_approved")
    assert body["effective_on"] == second["effective_on"]
    before = await client.get(
        f"/api/v1/studios/{studio['id']}/state", params={"as_of": "2000-01-01T00:00:00Z"}, headers=auditor
    )
    assert before.status_code == 404
    both = await client.get(
        f"/api/v1/studios/{studio['id']}/state",
        params={"as_of": second["recorded_at"], "version": 1},
        headers=auditor,
    )
    assert both.status_code == 422
