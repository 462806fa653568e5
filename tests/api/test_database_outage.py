"""The database goes away and comes back: 503 with Retry-After meanwhile, recovery without restart."""

from __future__ import annotations

import asyncio
import secrets
import time
from pathlib import Path

from litestar.testing import AsyncTestClient

from api.app import create_app
from api.state import ApiState
from casework.application import Casework
from casework.embedded import EmbeddedPostgres
from casework.settings import Settings
from casework.vault import Vault
from tests.api import bodies
from tests.api.conftest import STARTS_AT, Tokens
from tests.clocks import running_from


async def test_503_while_the_database_is_down_then_recovery(
    own_server: EmbeddedPostgres, tmp_path: Path
) -> None:
    app = Casework(own_server.url, clock=running_from(STARTS_AT), env={"POSTGRES_CONNECT_TIMEOUT": "2"})
    state = ApiState(
        settings=Settings.from_env({"CASEWORK_DATA_DIR": str(tmp_path)}),
        database_url=own_server.url,
        app=app,
        vault=Vault.from_setting(None, tmp_path),
        jwt_secret=secrets.token_urlsafe(32),
    )
    tokens = Tokens(state.jwt_secret)
    try:
        async with AsyncTestClient(app=create_app(state)) as client:
            first = await client.post(
                "/api/v1/studios", json=bodies.submission(), headers=tokens.headers("applicant")
            )
            assert first.status_code == 201
            own_server.halt()
            for answer in (
                await client.get("/api/v1/studios", headers=tokens.headers("city_office")),
                await client.post(
                    "/api/v1/studios",
                    json=bodies.submission("李四", serial=2),
                    headers=tokens.headers("applicant"),
                ),
                await client.get("/health/ready"),
            ):
                assert answer.status_code == 503, answer.text
                assert answer.headers["retry-after"]
            assert (await client.get("/health/live")).status_code == 200
            own_server.resume()
            deadline = time.monotonic() + 30
            while (await client.get("/health/ready")).status_code != 200:
                assert time.monotonic() < deadline, "readiness did not return"
                await asyncio.sleep(0.2)
            again = await client.post(
                "/api/v1/studios",
                json=bodies.submission("李四", serial=2),
                headers=tokens.headers("applicant"),
            )
            assert again.status_code == 201, again.text
            listed = await client.get("/api/v1/studios", headers=tokens.headers("applicant"))
            assert len(listed.json()["items"]) == 2
    finally:
        app.close()
