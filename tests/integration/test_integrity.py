"""Tamper evidence: every kind of alteration is detected in the store (casework verify) and in the
signed heads the API serves (GET /integrity); a studio's bundle is checked offline in bundles.py's tests."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from casework.application import Casework
from casework.checkpoints import check_heads, record_tree_head, sign_now, stored_events, verify
from casework.demo import load_demo
from casework.embedded import connection_params
from casework.integrity import GENESIS, Signer, Verdict, link
from casework.legacy_checkpoints import LegacyCheckpoint
from casework.signing import signer_from
from casework.vault import Vault
from projections import chain as chain_module
from projections.models import all_projections
from projections.runner import Projector
from tests.conftest import _with_database
from tests.serving import casework

NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
Verifier = Callable[[str], Verdict]


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> tuple[str, Signer]:
    """A real store: demo studios, the chain projection with its signed heads, a final head."""
    signer = signer_from(None, tmp_path)
    with Casework(database_url) as app:
        vault = Vault.from_setting(None, tmp_path)
        load_demo(app=app, vault=vault, today=NOW.date(), studios=40, seed=9)
        projector = Projector(app, database_url)
        for projection in all_projections(signer):
            projector.ensure(projection)
            projector.catch_up(projection)
            projector.step(projection, 1)  # the chain signs its first checkpoint on its tick
        load_demo(app=app, vault=vault, today=NOW.date(), studios=10, seed=10)
        for projection in all_projections(signer):
            projector.catch_up(projection)
        projector.close()
        sign_now(app, database_url, signer, NOW)  # on demand, as `casework checkpoint` does
    return database_url, signer


def copy_of(server_url: str, database_url: str) -> str:
    """A copy of the store, made by PostgreSQL itself (CREATE DATABASE ... TEMPLATE)."""
    source = connection_params(database_url)["dbname"]
    name = f"copy_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    return _with_database(server_url, name)


def run_sql(url: str, *statements: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def studio_at(url: str, position: int) -> uuid.UUID:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT originator_id FROM casework_events WHERE notification_id = %s", (position,)
        ).fetchone()
    assert row is not None
    found: uuid.UUID = row[0]
    return found


BYTE_57 = (
    "UPDATE casework_events SET state = overlay(state placing '\\x20'::bytea from 12 for 1) "
    "WHERE notification_id = 57"
)
TAMPERINGS: dict[str, tuple[list[str], int]] = {
    # one byte of one stored event
    "byte_changed": (
        [BYTE_57],
        57,
    ),
    "event_deleted": (["DELETE FROM casework_events WHERE notification_id = 101"], 101),
    # Two events of one studio (the seeded demo's 202 and 203), swapped.
    "events_reordered": (
        [
            "UPDATE casework_events SET notification_id = -1 WHERE notification_id = 202",
            "UPDATE casework_events SET notification_id = 202 WHERE notification_id = 203",
            "UPDATE casework_events SET notification_id = 203 WHERE notification_id = -1",
        ],
        202,
    ),
    "forged_inserted": (
        [
            "UPDATE casework_events SET notification_id = -notification_id WHERE notification_id > 300",
            "UPDATE casework_events SET notification_id = -notification_id + 1 WHERE notification_id < -300",
            "INSERT INTO casework_events (originator_id, originator_version, topic, state, notification_id) "
            "SELECT originator_id, 999, topic, state, 301 FROM casework_events WHERE notification_id = 300",
        ],
        301,
    ),
}


def detections(verifier: Verifier, server_url: str, database_url: str, signer: Signer) -> dict[str, bool]:
    """For each kind of tampering, on its own copy: was it caught, at the right place?"""
    caught: dict[str, bool] = {}
    for name, (statements, position) in TAMPERINGS.items():
        url = copy_of(server_url, database_url)
        victim = studio_at(url, position if name != "forged_inserted" else 300)
        run_sql(url, *statements)
        verdict = verifier(url)
        caught[name] = not verdict.ok and verdict.position == position and verdict.studio_id == victim
    url = copy_of(server_url, database_url)
    run_sql(
        url,
        "UPDATE casework_tree_heads SET signature = 'AAAA' || substr(signature, 5) "
        "WHERE tree_size = (SELECT min(tree_size) FROM casework_tree_heads)",
    )
    verdict = verifier(url)
    caught["head_signature_altered"] = not verdict.ok and "signature" in (verdict.problem or "")
    # An attacker who also recomputes the chain table is still caught by the signed heads.
    url = copy_of(server_url, database_url)
    run_sql(url, BYTE_57, "DELETE FROM chain_links")
    verdict = verifier(url)
    caught["chain_recomputed_too"] = not verdict.ok and "signed tree head" in (verdict.problem or "")
    caught["forked_head"] = forked_head_caught(verifier, server_url, database_url, signer)
    return caught


def forked_head_caught(verifier: Verifier, server_url: str, database_url: str, signer: Signer) -> bool:
    """A head signed with the true key over another history of the first 150 events (a
    forked log, or one rewritten and signed again) is reported, naming its position."""
    url = copy_of(server_url, database_url)
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT notification_id FROM casework_events ORDER BY 1 OFFSET 149 LIMIT 1"
        ).fetchone()
        assert row is not None
        record_tree_head(conn, signer.sign(row[0], 150, hashlib.sha256(b"another history").digest(), NOW))
    verdict = verifier(url)
    return not verdict.ok and verdict.position == row[0] and verdict.studio_id is None


def real_verifier(trusted: str) -> Verifier:
    def check(url: str) -> Verdict:
        with Casework(url) as app:
            return verify(app, url, trusted)

    return check


def test_a_clean_store_verifies(store: tuple[str, Signer]) -> None:
    url, signer = store
    verdict = real_verifier(signer.public_key)(url)
    assert verdict.ok, verdict
    assert verdict.checkpoints >= 2
    assert verdict.events > 500


def test_every_alteration_is_detected_and_located(store: tuple[str, Signer], server_url: str) -> None:
    url, signer = store
    caught = detections(real_verifier(signer.public_key), server_url, url, signer)
    assert caught == dict.fromkeys(caught, True)
    assert len(caught) == 7


def test_a_verifier_that_accepts_everything_fails_these_checks(
    store: tuple[str, Signer], server_url: str
) -> None:
    url, signer = store
    caught = detections(lambda _: Verdict(True, 0, 0), server_url, url, signer)
    assert not any(caught.values())


def test_the_check_the_api_serves_catches_a_forged_or_forked_head(
    store: tuple[str, Signer], server_url: str
) -> None:
    """GET /integrity reads the signed heads and the stored tree (not the log): a head with a
    forged signature, or one over another history, is reported."""
    url, signer = store
    clean = check_heads(url, signer.public_key)
    assert clean.ok, clean
    assert clean.checkpoints >= 2
    assert clean.events > 500
    assert forked_head_caught(lambda u: check_heads(u, signer.public_key), server_url, url, signer)
    forged = copy_of(server_url, url)
    run_sql(forged, "UPDATE casework_tree_heads SET signature = 'AAAA' || substr(signature, 5)")
    assert "signature" in (check_heads(forged, signer.public_key).problem or "")
    stranger = Signer.from_seed(bytes(range(32)))
    assert not check_heads(url, stranger.public_key).ok


def test_another_key_is_not_trusted(store: tuple[str, Signer]) -> None:
    url, _ = store
    stranger = Signer.from_seed(bytes(range(32)))
    verdict = real_verifier(stranger.public_key)(url)
    assert not verdict.ok
    assert "signature" in (verdict.problem or "")


def test_casework_verify_names_the_first_altered_studio_and_position(
    store: tuple[str, Signer], server_url: str, tmp_path: Path
) -> None:
    url, _ = store
    env = {"CASEWORK_DATABASE_URL": url, "CASEWORK_DATA_DIR": str(tmp_path)}
    clean = casework("verify", env=env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.startswith("OK")
    altered = copy_of(server_url, url)
    statements, position = TAMPERINGS["byte_changed"]
    victim = studio_at(altered, position)
    run_sql(altered, *statements)
    env["CASEWORK_DATABASE_URL"] = altered
    bad = casework("verify", env=env)
    assert bad.returncode == 1
    assert f"first altered studio: {victim}, position {position}" in bad.stdout


def test_checkpoints_follow_every_1000_events_or_10_minutes(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chain_module, "CHECKPOINT_EVERY_EVENTS", 40)  # the same rule, at a test's scale
    clock = [1_800_000_000.0]
    signer = signer_from(None, tmp_path)
    projection = chain_module.Chain(signer, clock=lambda: clock[0])
    vault = Vault.from_setting(None, tmp_path)

    def signed() -> list[int]:
        with psycopg.connect(database_url) as conn:
            return [r[0] for r in conn.execute("SELECT position FROM casework_tree_heads ORDER BY tree_size")]

    with Casework(database_url) as app:
        projector = Projector(app, database_url)
        projector.ensure(projection)
        # The demo's example subsidy standard and one application: 2 events.
        load_demo(app=app, vault=vault, today=NOW.date(), studios=1, seed=1)
        projector.step(projection, 1000)
        assert signed() == [2], "the first events are signed at once"
        load_demo(app=app, vault=vault, today=NOW.date(), studios=1, seed=2)  # the standard is there: 1 event
        projector.step(projection, 1000)
        assert signed() == [2], "one event and no time passed: not yet"
        clock[0] += 601  # ten minutes and a second later
        projector.step(projection, 1000)
        assert signed() == [2, 3]
        projector.step(projection, 1000)
        assert signed() == [2, 3], "nothing new to sign"
        load_demo(app=app, vault=vault, today=NOW.date(), studios=30, seed=3)
        head = projector.head()
        assert head - 3 >= 40
        projector.step(projection, 1000)
        assert signed() == [2, 3, head], "40 events since the last checkpoint: signed without waiting"
        projector.close()
    with Casework(database_url) as app:
        assert verify(app, database_url, signer.public_key).ok


def test_an_empty_or_unsigned_store_is_not_reported_clean(
    app: Casework, database_url: str, tmp_path: Path
) -> None:
    signer = signer_from(None, tmp_path)
    empty = verify(app, database_url, signer.public_key)
    assert not empty.ok
    assert "no events" in (empty.problem or "")
    load_demo(app=app, vault=Vault.from_setting(None, tmp_path), today=NOW.date(), studios=2, seed=4)
    unsigned = verify(app, database_url, signer.public_key)
    assert not unsigned.ok
    assert "no signed tree head" in (unsigned.problem or "")
    sign_now(app, database_url, signer, NOW)
    assert verify(app, database_url, signer.public_key).ok


def test_checkpoints_of_an_earlier_release_are_still_checked(
    store: tuple[str, Signer], server_url: str, tmp_path: Path
) -> None:
    """casework_checkpoints (the linear chain signed before 2026-11-30) keeps vouching for the log."""
    url, signer = store
    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode((tmp_path / "signing.key").read_text()))
    with Casework(url) as app, psycopg.connect(url) as conn:
        events = stored_events(conn, app)[:100]
    head = GENESIS
    for event in events:
        head = link(head, event.hash)

    def checkpoint(head: bytes, signed: bool = True) -> str:
        unsigned = LegacyCheckpoint(events[-1].position, len(events), head.hex(), NOW, "", signer.public_key)
        signature = key.sign(unsigned.message()) if signed else bytes(64)
        return (
            "INSERT INTO casework_checkpoints VALUES "  # noqa: S608 - the test's own values
            f"({unsigned.position}, {unsigned.count}, '{unsigned.head}', '{NOW.isoformat()}', "
            f"'{base64.b64encode(signature).decode()}', '{signer.public_key}')"
        )

    verdicts = {}
    for name, statement in {
        "kept": checkpoint(head),
        "another_history": checkpoint(hashlib.sha256(b"another").digest()),
        "forged": checkpoint(head, signed=False),
    }.items():
        copy = copy_of(server_url, url)
        run_sql(copy, statement)
        verdicts[name] = real_verifier(signer.public_key)(copy)
    assert verdicts["kept"].ok, verdicts["kept"]
    assert verdicts["kept"].checkpoints == real_verifier(signer.public_key)(url).checkpoints + 1
    assert "earlier release" in (verdicts["another_history"].problem or "")
    assert verdicts["another_history"].position == events[-1].position
    assert "signature" in (verdicts["forged"].problem or "")
