from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.state import ApiState
from tests.api.conftest import Tokens
from tests.api.helpers import studio_at
from tests.console.conftest import sign_in


async def test_pages(client: AsyncTestClient[Litestar], api_state: ApiState, tokens: Tokens) -> None:
    studio = await studio_at(client, tokens, "paid")
    for role in ("city_office", "auditor", "finance", "county_reviewer"):
        await sign_in(client, api_state, role)
        for path in ("/console/", "/console/studios", f"/console/studios/{studio['id']}",
                     f"/console/studios/{studio['id']}/timeline", "/console/due", "/console/ledger",
                     "/console/reconciliations", "/console/studios?format=xlsx", "/console/studios?format=csv"):
            answer = await client.get(path)
            print(role, path, answer.status_code, answer.text[:300] if answer.status_code >= 400 else "")
