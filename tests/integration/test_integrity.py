"""Tamper evidence: every kind of alteration is detected, and a bundle verifies offline."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import msgspec
import psycopg
import pytest

from casework.application import Casework
from casework.checkpoints import checkpoint_now, make_bundle, verify
from casework.demo import load_demo
from casework.embedded import connection_params
from casework.integrity import Bundle, Signer, Verdict, verify_bundle
from casework.signing import signer_from
from casework.vault import Vault
from projections import chain as chain_module
from projections.runner import Projector, all_projections
from tests.conftest import _with_database
from tests.serving import casework

NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
Verifier = Callable[[str], Verdict]


@pytest.fixture
def store(database_url: str, tmp_path: Path) -> tuple[str, Signer]:
    """A real store: demo studios, the chain projection with its checkpoints, a final checkpoint."""
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
        checkpoint_now(app, database_url, signer, NOW)  # on demand, as `casework checkpoint` does
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


def detections(verifier: Verifier, server_url: str, database_url: str, trusted: str) -> dict[str, bool]:
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
        "UPDATE casework_checkpoints SET signature = 'AAAA' || substr(signature, 5) "
        "WHERE position = (SELECT min(position) FROM casework_checkpoints)",
    )
    verdict = verifier(url)
    caught["checkpoint_signature_altered"] = not verdict.ok and "signature" in (verdict.problem or "")
    # An attacker who also recomputes the chain table is still caught by the signed checkpoints.
    url = copy_of(server_url, database_url)
    run_sql(
        url,
        "UPDATE casework_events SET state = overlay(state placing '\\x20'::bytea from 12 for 1) "
        "WHERE notification_id = 57",
        "DELETE FROM chain_links",
    )
    verdict = verifier(url)
    caught["chain_recomputed_too"] = not verdict.ok and "checkpoint" in (verdict.problem or "")
    return caught


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
    caught = detections(real_verifier(signer.public_key), server_url, url, signer.public_key)
    assert caught == dict.fromkeys(caught, True)
    assert len(caught) == 6


def test_a_verifier_that_accepts_everything_fails_these_checks(
    store: tuple[str, Signer], server_url: str
) -> None:
    url, signer = store
    caught = detections(lambda _: Verdict(True, 0, 0), server_url, url, signer.public_key)
    assert not any(caught.values())


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


class TestBundle:
    def bundle(self, store: tuple[str, Signer]) -> Bundle:
        url, signer = store
        with Casework(url) as app, psycopg.connect(url) as conn:
            studio = conn.execute(
                "SELECT originator_id FROM casework_events GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
            ).fetchone()
            assert studio is not None
            made = make_bundle(app, url, studio[0], signer, NOW)
        assert made is not None
        return made

    def test_a_bundle_verifies_offline_and_fails_when_any_byte_is_edited(
        self, store: tuple[str, Signer]
    ) -> None:
        bundle = self.bundle(store)
        assert verify_bundle(bundle, store[1].public_key).ok
        for index in (0, len(bundle.events) // 2, len(bundle.events) - 1):
            event = bundle.events[index]
            raw = bytearray(base64.b64decode(event.state))
            raw[len(raw) // 2] ^= 0x01
            edited = bundle.events.copy()
            edited[index] = type(event)(**{**_fields(event), "state": base64.b64encode(bytes(raw)).decode()})
            tampered = Bundle(**{**_fields(bundle), "events": edited})
            verdict = verify_bundle(tampered, store[1].public_key)
            assert not verdict.ok
            assert verdict.position == event.position

    def test_the_command_line_checks_a_bundle_with_no_database(
        self, store: tuple[str, Signer], tmp_path: Path
    ) -> None:
        bundle = self.bundle(store)
        path = tmp_path / "bundle.json"
        path.write_bytes(msgspec.json.encode(bundle))
        env = {k: v for k, v in os.environ.items() if not k.startswith("CASEWORK_")}
        env["CASEWORK_DATA_DIR"] = str(tmp_path / "nowhere")
        ok = verify_bundle_cli(path, store[1].public_key, env)
        assert ok.returncode == 0, ok.stdout + ok.stderr
        assert "OK" in ok.stdout
        assert not (tmp_path / "nowhere" / "pgdata").exists(), "no database was started"
        document = json.loads(path.read_text())
        document["checkpoint"]["head"] = "00" * 32
        path.write_text(json.dumps(document))
        bad = verify_bundle_cli(path, store[1].public_key, env)
        assert bad.returncode == 1
        assert "ALTERED" in bad.stdout


def verify_bundle_cli(path: Path, key: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # Exactly ``env`` (no CASEWORK_* of ours): the check must need no database.
    return subprocess.run(
        [sys.executable, "-m", "casework.cli", "verify-bundle", str(path), "--public-key", key],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _fields(obj: object) -> dict[str, object]:
    return {f: getattr(obj, f) for f in obj.__struct_fields__}  # type: ignore[attr-defined]


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
            return [r[0] for r in conn.execute("SELECT position FROM casework_checkpoints ORDER BY position")]

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
    assert "no signed checkpoint" in (unsigned.problem or "")
    checkpoint_now(app, database_url, signer, NOW)
    assert verify(app, database_url, signer.public_key).ok
