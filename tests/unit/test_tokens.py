"""Tokens and the key that signs them fail safe: a weak or template secret stops the start."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from api.auth import InvalidToken, actor_from, issue_token, jwt_secret
from casework.settings import Settings

STRONG = secrets.token_urlsafe(32)


@pytest.mark.parametrize("secret", ["", "short", "x" * 31, "change-me", "CHANGE-ME", " changeme "])
def test_a_secret_that_is_set_must_be_one(secret: str) -> None:
    with pytest.raises(ValueError, match="CASEWORK_JWT_SECRET"):
        Settings.from_env({"CASEWORK_JWT_SECRET": secret})


def test_a_secret_of_32_bytes_or_more_is_taken(tmp_path: Path) -> None:
    settings = Settings.from_env({"CASEWORK_JWT_SECRET": "x" * 32})
    assert jwt_secret(settings.jwt_secret, tmp_path) == "x" * 32


def test_an_unset_secret_is_generated_once_into_the_data_folder(tmp_path: Path) -> None:
    first = jwt_secret(None, tmp_path)
    assert len(first) >= 32
    assert jwt_secret(None, tmp_path) == first


def test_an_issuer_and_an_audience_when_configured_are_checked() -> None:
    plain = issue_token(STRONG, role="auditor", subject="a")
    named = issue_token(STRONG, role="auditor", subject="a", issuer="wzrs", audience="casework")
    other = issue_token(STRONG, role="auditor", subject="a", issuer="wzrs", audience="elsewhere")
    assert actor_from(f"Bearer {named}", STRONG, "wzrs", "casework").subject == "a"
    for token in (plain, other):
        with pytest.raises(InvalidToken):
            actor_from(f"Bearer {token}", STRONG, "wzrs", "casework")
    # Not configured: a token's own issuer and audience are not asked about.
    assert actor_from(f"Bearer {plain}", STRONG).role == "auditor"


def test_the_settings_read_issuer_and_audience() -> None:
    settings = Settings.from_env({"CASEWORK_JWT_ISSUER": "wzrs", "CASEWORK_JWT_AUDIENCE": "casework"})
    assert (settings.jwt_issuer, settings.jwt_audience) == ("wzrs", "casework")
