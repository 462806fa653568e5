"""Shared fixtures: a real PostgreSQL for every test that needs one.

By default a throwaway embedded server is started once per session; with
CASEWORK_TEST_DATABASE_URL set (CI sets it to the local server) that server is used.
Either way each test gets a database of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from casework.application import Casework
from casework.embedded import EmbeddedPostgres, connection_params
from casework.vault import Vault
from projections.models import all_projections
from projections.runner import Projector

_INTEGRATION_DIRS = ("application", "integration", "api", "console", "browser")
CHROMIUM = Path("/usr/bin/chromium")
_NO_BROWSER = (
    f"the browser tests (tests/browser) were SKIPPED: no Chromium at {CHROMIUM} "
    "(apt-get install chromium fonts-wqy-zenhei; .ci/run installs them)"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = str(item.path).replace(os.sep, "/")
        if any(f"tests/{d}/" in path for d in _INTEGRATION_DIRS):
            item.add_marker(pytest.mark.integration)
        if "tests/browser/" in path:
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(pytest.mark.skip(reason=_NO_BROWSER))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say it plainly at the end of the run when the browser tests could not run."""
    if not CHROMIUM.exists():
        terminalreporter.write_sep("!", _NO_BROWSER, yellow=True, bold=True)


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """The URL of a PostgreSQL server's maintenance database."""
    configured = os.environ.get("CASEWORK_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    server = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="casework-test-")), throwaway=True)
    try:
        yield server.url
    finally:
        server.stop()


def _with_database(url: str, dbname: str) -> str:
    params = connection_params(url)
    host = params["host"]
    auth = params["user"] + (f":{params['password']}" if params["password"] else "")
    if host.startswith("/"):
        return f"postgresql://{auth}@/{dbname}?host={host}&port={params['port']}"
    return f"postgresql://{auth}@{host}:{params['port']}/{dbname}"


@pytest.fixture
def database_url(server_url: str) -> Iterator[str]:
    """A fresh, empty database for one test."""
    dbname = f"casework_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    try:
        yield _with_database(server_url, dbname)
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


@pytest.fixture
def app(database_url: str) -> Iterator[Casework]:
    application = Casework(database_url)
    try:
        yield application
    finally:
        application.close()


@pytest.fixture
def projector(app: Casework, database_url: str) -> Iterator[Projector]:
    """The read side's runner machinery, driven by hand (no background threads)."""
    projector = Projector(app, database_url)
    for projection in all_projections():
        projector.ensure(projection)
    yield projector
    projector.close()


@pytest.fixture
def vault(tmp_path: Path) -> Vault:
    return Vault.from_setting(None, tmp_path)
