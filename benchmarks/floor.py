"""The framework's floor for GET a studio: a bare Litestar handler on the same uvicorn
settings, running the same statement through the same pool and answering the row as JSON,
with no token, no scoping, no view, no middleware of ours.

``benchmarks.api`` serves it beside the real API and measures both in the same rounds: what
separates the API from its asyncpg baseline is then split into what the framework costs
(this app) and what casework adds to it.

    python -m uvicorn --factory benchmarks.floor:create   (CASEWORK_DATABASE_URL set)
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import msgspec
from litestar import Litestar, Response, get

from api.database import create_pool
from api.queries.studios import SELECT_ONE


def create() -> Litestar:
    pools: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        pools["db"] = await create_pool(os.environ["CASEWORK_DATABASE_URL"])
        try:
            yield
        finally:
            await pools["db"].close()

    @get("/api/v1/studios/{studio_id:str}")
    async def studio(studio_id: str) -> Response[bytes]:
        found = await pools["db"].fetchrow(SELECT_ONE, uuid.UUID(studio_id))
        return Response(msgspec.json.encode(dict(found)), media_type="application/json")

    @get("/health/ready")
    async def ready() -> Response[bytes]:
        return Response(b'{"status":"ready"}', media_type="application/json")

    return Litestar([studio, ready], lifespan=[lifespan], logging_config=None)
