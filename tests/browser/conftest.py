"""The console in a real browser: Debian's Chromium, driven by Playwright, against a real
``casework serve --console-link`` on a database loaded by ``casework demo``.

Without /usr/bin/chromium these tests are skipped, and the run says so at its end
(.ci/run installs Chromium first, so CI always runs them)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.conftest import CHROMIUM, _with_database
from tests.serving import casework, start_serving, stop_serving

SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
_LINK = re.compile(r"http://\S+/console/sign-in\?link=\S+")


class Console:
    """A served console: its base URL, the link serve printed, and links for any role."""

    def __init__(self, base: str, printed: str, env: dict[str, str]) -> None:
        self.base = base
        self.printed = printed
        self.env = env

    def link(self, role: str, county: str | None = None) -> str:
        """A fresh one-time link, as ``casework token --link`` prints it."""
        args = ["token", "--role", role, "--subject", f"{role}.browser", "--link"]
        made = casework(*args, *(["--county", county] if county else []), env=self.env)
        assert made.returncode == 0, made.stderr
        return made.stdout.strip()

    def token(self, role: str) -> str:
        made = casework("token", "--role", role, "--subject", f"{role}.browser", env=self.env)
        assert made.returncode == 0, made.stderr
        return made.stdout.strip()


@pytest.fixture(scope="module")
def console(server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """``casework demo`` into a database of its own, then ``casework serve --console-link``."""
    folder = tmp_path_factory.mktemp("console")
    dbname = f"casework_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    env = {
        "CASEWORK_DATABASE_URL": _with_database(server_url, dbname),
        "CASEWORK_DATA_DIR": str(folder / ".casework"),
    }
    loaded = casework("demo", "--studios", "36", "--seed", "7", env=env)
    assert loaded.returncode == 0, loaded.stderr
    process, base, environment = start_serving(folder, None, "--console-link", env=env)
    try:
        printed = _LINK.search((folder / "serve.log").read_text())
        assert printed is not None, (folder / "serve.log").read_text()
        yield Console(base, printed.group(0), {**env, "CASEWORK_PORT": environment["CASEWORK_PORT"]})
    finally:
        stop_serving(process)
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        # As root (CI) Chromium runs only without its sandbox.
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


def shot(page: object, name: str) -> None:
    """Keep a screenshot of the page for the README (docs/screenshots/NAME.png)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
