"""A studio's bundle: proven offline by inclusion proofs under a signed tree head and consistency
proofs from earlier heads; bounded by the studio, not the log; every tampering is caught."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import msgspec
import psycopg
import pytest

from casework.application import Casework
from casework.bundles import Bundle, BundleEvent, EarlierHead, verify_bundle
from casework.checkpoints import NotYetSigned, check_heads, make_bundle, request_head, verify
from casework.demo import load_demo
from casework.integrity import Signer, TreeHead
from casework.signing import signer_from
from casework.vault import Vault
from projections.chain import Chain
from projections.runner import Projector

NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
ANOTHER_ROOT = hashlib.sha256(b"another history").digest()


@dataclass
class Log:
    """A real store whose chain projection signs with ``signer`` (the worker's key)."""

    app: Casework
    url: str
    signer: Signer
    projector: Projector
    chain: Chain
    vault: Vault

    def load(self, studios: int, seed: int) -> None:
        load_demo(app=self.app, vault=self.vault, today=NOW.date(), studios=studios, seed=seed)
        self.projector.step(self.chain, 100_000)

    def studios(self) -> list[UUID]:
        """The studios, in the order of their last events: the first is the largest of those
        under the first signed head (the 40 studios loaded first), the last the newest."""
        with psycopg.connect(self.url) as conn:
            rows = conn.execute(
                "SELECT originator_id FROM casework_events GROUP BY 1 "
                "ORDER BY max(notification_id) > (SELECT min(position) FROM casework_tree_heads), "
                "CASE WHEN max(notification_id) <= (SELECT min(position) FROM casework_tree_heads) "
                "THEN -count(*) END, max(notification_id)"
            ).fetchall()
        return [r[0] for r in rows]

    def bundle(self, studio: UUID, since: int | None = None) -> Bundle:
        made = make_bundle(self.app, self.url, studio, since)
        assert made is not None
        return made

    def sign_on_request(self, studio: UUID) -> None:
        """What the API does for a bundle whose last events no head covers yet."""
        with psycopg.connect(self.url) as conn:
            last = conn.execute(
                "SELECT max(notification_id) FROM casework_events WHERE originator_id = %s", (studio,)
            ).fetchone()
            assert last is not None
            request_head(conn, last[0])
        self.projector.step(self.chain, 100_000)


@pytest.fixture
def log(database_url: str, tmp_path: Path) -> Iterator[Log]:
    signer = signer_from(None, tmp_path)
    chain = Chain(signer)
    with Casework(database_url) as app:
        projector = Projector(app, database_url)
        projector.ensure(chain)
        made = Log(app, database_url, signer, projector, chain, Vault.from_setting(None, tmp_path))
        made.load(40, seed=9)  # the first head is signed at once
        made.load(10, seed=10)  # not yet due: no head covers these
        yield made
        projector.close()


def test_a_bundle_verifies_offline_and_its_size_follows_the_studio_not_the_log(log: Log) -> None:
    first = log.studios()[0]  # of the first load: under the first head, and the second
    newest = log.studios()[-1]
    with pytest.raises(NotYetSigned):
        log.bundle(newest)
    log.sign_on_request(newest)
    bundle = log.bundle(first)
    verdict = verify_bundle(bundle, log.signer.public_key)
    assert verdict.ok, verdict
    assert verdict.events == len(bundle.events) >= 5
    assert [e.head.tree_size for e in bundle.earlier] == [bundle.earlier[0].head.tree_size]
    assert bundle.earlier[0].head.tree_size < bundle.tree_head.tree_size
    size = bundle.tree_head.tree_size
    assert size > 500
    hashes = sum(len(e.inclusion) for e in bundle.events) + sum(len(e.consistency) for e in bundle.earlier)
    assert hashes <= (len(bundle.events) + len(bundle.earlier)) * 2 * size.bit_length()
    assert all(len(e.inclusion) <= size.bit_length() for e in bundle.events)
    assert verify_bundle(log.bundle(newest), log.signer.public_key).ok


def _edited(event: BundleEvent) -> BundleEvent:
    raw = bytearray(base64.b64decode(event.state))
    raw[len(raw) // 2] ^= 0x01
    return msgspec.structs.replace(event, state=base64.b64encode(bytes(raw)).decode())


def tamperings(bundle: Bundle, signer: Signer) -> dict[str, Bundle]:
    """Each way of changing a bundle after it left the server, on its own copy."""
    events, head = bundle.events, bundle.tree_head
    forked = signer.sign(head.position, head.tree_size, ANOTHER_ROOT, NOW)
    old = bundle.earlier[0]
    inserted = msgspec.structs.replace(events[-1], version=len(events) + 1, position=events[-1].position + 1)
    return {
        "byte_changed": msgspec.structs.replace(bundle, events=[_edited(events[0]), *events[1:]]),
        "event_deleted": msgspec.structs.replace(bundle, events=events[:1] + events[2:]),
        "events_reordered": msgspec.structs.replace(bundle, events=[events[1], events[0], *events[2:]]),
        "forged_inserted": msgspec.structs.replace(bundle, events=[*events, inserted]),
        "emptied": msgspec.structs.replace(bundle, events=[]),
        "signature_forged": msgspec.structs.replace(
            bundle, tree_head=msgspec.structs.replace(head, signature=base64.b64encode(bytes(64)).decode())
        ),
        # Signed with the true key, over another history: the server forked the log.
        "head_forked": msgspec.structs.replace(bundle, tree_head=forked),
        "earlier_head_forked": msgspec.structs.replace(
            bundle,
            earlier=[
                EarlierHead(
                    head=signer.sign(old.head.position, old.head.tree_size, ANOTHER_ROOT, NOW),
                    consistency=old.consistency,
                )
            ],
        ),
    }


def test_every_tampering_of_a_bundle_is_caught(log: Log) -> None:
    log.sign_on_request(log.studios()[-1])
    bundle = log.bundle(log.studios()[0])
    assert bundle.earlier
    verdicts = {
        name: verify_bundle(b, log.signer.public_key) for name, b in tamperings(bundle, log.signer).items()
    }
    assert {name for name, v in verdicts.items() if v.ok} == set()
    assert verdicts["byte_changed"].position == bundle.events[0].position
    assert "forked" in (verdicts["earlier_head_forked"].problem or "")
    assert "signature" in (verdicts["signature_forged"].problem or "")
    stranger = Signer.from_seed(bytes(range(32)))
    assert not verify_bundle(bundle, stranger.public_key).ok


def test_a_later_bundle_must_extend_the_head_an_auditor_already_holds(log: Log) -> None:
    studio = log.studios()[0]
    before = log.bundle(studio)
    log.load(5, seed=11)
    newest = log.studios()[-1]
    log.sign_on_request(newest)
    after = log.bundle(newest, since=before.tree_head.tree_size)
    assert after.tree_head.tree_size > before.tree_head.tree_size
    assert verify_bundle(after, log.signer.public_key, seen=before.tree_head).ok
    forked = log.signer.sign(before.tree_head.position, before.tree_head.tree_size, ANOTHER_ROOT, NOW)
    verdict = verify_bundle(after, log.signer.public_key, seen=forked)
    assert not verdict.ok
    assert "forked" in (verdict.problem or "")
    unproven = verify_bundle(log.bundle(newest), log.signer.public_key, seen=before.tree_head)
    assert not unproven.ok
    assert f"?since={before.tree_head.tree_size}" in (unproven.problem or "")
    with pytest.raises(LookupError, match="since"):
        log.bundle(newest, since=before.tree_head.tree_size + 1)


def verify_bundle_cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    # No CASEWORK_* of ours: the check must need no database.
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEWORK_")}
    env["CASEWORK_DATA_DIR"] = str(home / "nowhere")
    return subprocess.run(
        [sys.executable, "-m", "casework.cli", "verify-bundle", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_command_line_checks_a_bundle_with_no_database_and_asks_whose_key(
    log: Log, tmp_path: Path
) -> None:
    bundle = log.bundle(log.studios()[0])
    path, forked = tmp_path / "bundle.json", tmp_path / "forked.json"
    path.write_bytes(msgspec.json.encode(bundle))
    key = log.signer.public_key
    ok = verify_bundle_cli(str(path), "--public-key", key, home=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "OK" in ok.stdout
    assert not (tmp_path / "nowhere" / "pgdata").exists(), "no database was started"
    unverified = verify_bundle_cli(str(path), home=tmp_path)
    assert unverified.returncode == 3
    assert "signer not verified" in unverified.stdout
    trusted = verify_bundle_cli(str(path), "--trust-bundle-key", home=tmp_path)
    assert trusted.returncode == 0, trusted.stdout
    head = bundle.tree_head
    forked.write_bytes(
        msgspec.json.encode(
            msgspec.structs.replace(
                bundle, tree_head=log.signer.sign(head.position, head.tree_size, ANOTHER_ROOT, NOW)
            )
        )
    )
    fork = verify_bundle_cli(str(path), "--earlier", str(forked), "--public-key", key, home=tmp_path)
    assert fork.returncode == 1
    assert "forked" in fork.stdout
    altered = verify_bundle_cli(str(forked), "--public-key", key, home=tmp_path)
    assert altered.returncode == 1
    assert "ALTERED" in altered.stdout
    assert verify_bundle_cli(str(tmp_path / "none.json"), home=tmp_path).returncode == 2


def test_a_tree_head_s_signature_covers_every_field(log: Log) -> None:
    head = log.bundle(log.studios()[0]).tree_head
    assert head.signature_valid(log.signer.public_key)
    changes = {
        "position": head.position + 1,
        "tree_size": head.tree_size - 1,
        "root_hash": ANOTHER_ROOT.hex(),
        "signed_at": head.signed_at + dt.timedelta(seconds=1),
    }
    for name, value in changes.items():
        changed: TreeHead = msgspec.structs.replace(head, **{name: value})
        assert not changed.signature_valid(log.signer.public_key), name


def test_the_bundle_and_the_served_check_read_no_other_studio_s_events(log: Log) -> None:
    """What the API serves reads the studio's events and stored hashes, not the log: with every
    other event made unreadable, both still answer; the auditor's full check sees the damage."""
    studio = log.studios()[0]
    log.sign_on_request(log.studios()[-1])
    with psycopg.connect(log.url, autocommit=True) as conn:
        conn.execute(
            "UPDATE casework_events SET state = 'unreadable'::bytea WHERE originator_id <> %s", (studio,)
        )
    assert verify_bundle(log.bundle(studio), log.signer.public_key).ok
    assert check_heads(log.url, log.signer.public_key).ok
    assert not verify(log.app, log.url, log.signer.public_key).ok
