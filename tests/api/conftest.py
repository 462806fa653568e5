"""An API over a real PostgreSQL, with the projections running, and tokens for every role."""

from __future__ import annotations

import datetime as dt
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.auth import issue_token
from api.state import ApiState
from casework.application import Casework
from casework.domain.policy import MEASURES, PolicyTable
from casework.embedded import EmbeddedPostgres
from casework.integrity import Signer
from casework.settings import Settings
from casework.vault import Vault
from tests.clocks import running_from, wenzhou

TODAY = dt.date(2026, 11, 26)
# Ten in the morning in Wenzhou on TODAY: the business date of every act not dated otherwise.
STARTS_AT = wenzhou(TODAY.year, TODAY.month, TODAY.day)


@pytest.fixture
def starts_at() -> dt.datetime:
    """When the application's clock starts (a test parametrizes ``starts_at`` for another)."""
    return STARTS_AT


@pytest.fixture
def policies() -> PolicyTable:
    """The application's policy table (a test module may override it with a made-up revision)."""
    return MEASURES


@pytest.fixture
def api_state(
    database_url: str, tmp_path: Path, starts_at: dt.datetime, policies: PolicyTable
) -> Iterator[ApiState]:
    settings = Settings.from_env({"CASEWORK_DATA_DIR": str(tmp_path), "CASEWORK_PROJECTION_BATCH": "200"})
    app = Casework(database_url, clock=running_from(starts_at), policies=policies)
    state = ApiState(
        settings=settings,
        database_url=database_url,
        app=app,
        vault=Vault.from_setting(None, tmp_path),
        jwt_secret=secrets.token_urlsafe(32),
        signer=Signer.from_seed(secrets.token_bytes(32)),
        # The tests wait on readiness for the projections (helpers.settled): always fresh here.
        health_fresh_for=0.0,
    )
    yield state
    app.close()


@pytest.fixture
def litestar_app(api_state: ApiState) -> Litestar:
    return create_app(api_state)


@pytest.fixture
async def client(litestar_app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=litestar_app) as client:
        yield client


class Tokens:
    def __init__(self, secret: str) -> None:
        self.secret = secret

    def headers(
        self, role: str, county: str | None = None, subject: str | None = None, **extra: str
    ) -> dict[str, Any]:
        if county is None and role in ("applicant", "county_reviewer"):
            county = "鹿城区"
        token = issue_token(self.secret, role=role, subject=subject or f"{role}.user", county=county)
        return {"Authorization": f"Bearer {token}", **extra}


@pytest.fixture
def tokens(api_state: ApiState) -> Tokens:
    return Tokens(api_state.jwt_secret)


@pytest.fixture
def own_server() -> Iterator[EmbeddedPostgres]:
    """A PostgreSQL of the test's own, which it may stop and start (an outage)."""
    server = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="casework-outage-")), throwaway=True)
    yield server
    server.stop()
