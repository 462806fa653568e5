"""The OpenAPI document: served, browsable, and the committed copy matches it."""

from __future__ import annotations

import json
from pathlib import Path

from litestar import Litestar
from litestar.testing import AsyncTestClient

import api
from api.access import ROLES_BY_OPERATION

COMMITTED = Path(api.__file__).parent / "openapi.json"


async def test_the_served_document_is_the_committed_one(client: AsyncTestClient[Litestar]) -> None:
    served = await client.get("/schema/openapi.json")
    assert served.status_code == 200
    document = served.json()
    assert document["openapi"].startswith("3.1")
    assert document == json.loads(COMMITTED.read_text()), "run `make openapi` and commit api/openapi.json"


async def test_every_operation_is_documented_and_browsable(client: AsyncTestClient[Litestar]) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    operations = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert set(ROLES_BY_OPERATION) <= operations
    ui = await client.get("/schema/scalar")
    assert ui.status_code == 200
    assert "text/html" in ui.headers["content-type"]
