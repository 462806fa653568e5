"""``casework token --link`` and ``casework serve --console-link`` (what ``make run`` runs):
the printed link opens the overview, once."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from api.auth import jwt_secret
from api.console.session import COOKIE, read_link
from tests.serving import casework, start_serving, stop_serving


def test_token_link_prints_a_sign_in_link_for_the_role(tmp_path: Path) -> None:
    env = {"CASEWORK_DATA_DIR": str(tmp_path), "CASEWORK_PORT": "8123"}
    made = casework(
        "token", "--role", "county_reviewer", "--county", "瑞安市", "--subject", "r", "--link", env=env
    )
    assert made.returncode == 0, made.stderr
    link = made.stdout.strip()
    assert link.startswith("http://127.0.0.1:8123/console/sign-in?link=")
    claims = read_link(link.split("link=")[1], jwt_secret(None, tmp_path))
    assert (claims["role"], claims["county"], claims["sub"]) == ("county_reviewer", "瑞安市", "r")
    refused = casework("token", "--role", "county_reviewer", "--subject", "r", "--link", env=env)
    assert refused.returncode == 2
    assert "names its county" in refused.stderr


def test_the_link_serve_prints_opens_the_overview_once(tmp_path: Path) -> None:
    process, base, _ = start_serving(tmp_path, None, "--console-link")
    try:
        printed = re.search(r"http://\S+/console/sign-in\?link=\S+", (tmp_path / "serve.log").read_text())
        assert printed is not None
        assert printed.group(0).startswith(base)
        with httpx.Client() as browser:
            signed_in = browser.get(printed.group(0), follow_redirects=True)
            assert signed_in.status_code == 200
            assert "<h1>总览</h1>" in signed_in.text
            assert "operator" in signed_in.text
            assert COOKIE in browser.cookies
        again = httpx.get(printed.group(0), follow_redirects=False)
        assert again.status_code == 400
        assert "already been used" in again.text
    finally:
        assert stop_serving(process) == 0
