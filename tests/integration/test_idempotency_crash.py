"""An Idempotency-Key survives a crash: a retry gets the answer the first request would have had.

Before, the key was reserved by a committed INSERT before the command ran; a process killed in
between left it reserved for ever (409 idempotency_key_in_flux on every retry), even when the
command had in fact been recorded. Now the key is held by an advisory lock that dies with the
process, and the command's events name the key's row in their own transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import secrets
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psycopg

from api.auth import issue_token
from api.idempotency import key_scope
from casework.application import Casework, Context
from casework.domain import commands as c
from casework.domain.permissions import Actor
from casework.store import IDEMPOTENCY_TABLE, RequestKey
from tests import builders as b
from tests.api import bodies
from tests.serving import start_serving

KEY = "pay-zhang-san-construction"


def headers(secret: str, role: str, **extra: str) -> dict[str, str]:
    county = "鹿城区" if role in ("applicant", "county_reviewer") else None
    token = issue_token(secret, role=role, subject=f"{role}.crash", county=county)
    return {"Authorization": f"Bearer {token}", **extra}


def awarded_studio(base: str, secret: str) -> str:
    made = httpx.post(
        f"{base}/api/v1/studios", json=bodies.submission(), headers=headers(secret, "applicant")
    )
    assert made.status_code == 201, made.text
    sid = str(made.json()["id"])
    for path, body, role in (
        ("county-review", bodies.APPROVE, "county_reviewer"),
        ("assessment", bodies.ASSESS, "city_office"),
        ("award", bodies.AWARD, "city_office"),
    ):
        answer = httpx.post(f"{base}/api/v1/studios/{sid}/{path}", json=body, headers=headers(secret, role))
        assert answer.status_code == 200, answer.text
    return sid


def serve(folder: Path, database_url: str) -> tuple[subprocess.Popen[bytes], str, str, dict[str, str]]:
    """A casework serve on the test's database: its process, base URL, JWT secret and settings."""
    secret = secrets.token_urlsafe(32)
    env = {"CASEWORK_DATABASE_URL": database_url, "CASEWORK_JWT_SECRET": secret}
    process, base, _ = start_serving(folder, None, env=env)
    return process, base, secret, env


def payments(database_url: str, app: Casework) -> int:
    with psycopg.connect(database_url) as conn:
        found = conn.execute(
            f"SELECT count(*) FROM {app.store.events_table_name} WHERE topic LIKE %s",  # noqa: S608
            ("%:SubsidyPaid",),
        ).fetchone()
    assert found is not None
    return int(found[0])


def test_a_server_killed_between_the_reservation_and_the_command_leaves_no_stuck_key(
    tmp_path: Path, database_url: str, app: Casework
) -> None:
    process, base, secret, env = serve(tmp_path, database_url)
    try:
        sid = awarded_studio(base, secret)
        pay = headers(secret, "finance", **{"Idempotency-Key": KEY})
        with psycopg.connect(database_url) as blocker:
            # The payment's voucher claim is written inside its event transaction: holding the
            # claims table stops the command there, after its key was taken.
            blocker.execute("LOCK TABLE casework_claims IN ACCESS EXCLUSIVE MODE")
            url = f"{base}/api/v1/studios/{sid}/subsidy-payments"

            def pay_and_die() -> None:
                with contextlib.suppress(httpx.HTTPError):  # the server dies under it
                    httpx.post(url, json=bodies.payment(), headers=pay, timeout=60)

            first = threading.Thread(target=pay_and_die, daemon=True)
            first.start()
            with psycopg.connect(database_url, autocommit=True) as probe:
                deadline = time.monotonic() + 20
                taken = f"SELECT 1 FROM {IDEMPOTENCY_TABLE} WHERE key = %s AND owner IS NOT NULL"  # noqa: S608
                while not probe.execute(taken, (KEY,)).fetchone():
                    assert time.monotonic() < deadline, "the first request never took its key"
                    time.sleep(0.05)
            time.sleep(0.3)  # and is now waiting on the claims table
            process.send_signal(signal.SIGKILL)
            process.wait(10)
            blocker.rollback()
        assert payments(database_url, app) == 0

        process, base, _ = start_serving(tmp_path, None, env=env, log="serve-again.log")
        started = time.monotonic()
        retry = httpx.post(
            f"{base}/api/v1/studios/{sid}/subsidy-payments", json=bodies.payment(), headers=pay
        )
        assert retry.status_code == 200, retry.text
        assert time.monotonic() - started < 5  # no wait for a dead owner
        assert retry.json()["subsidies"]["construction_paid"] == "30000.00"
        again = httpx.post(
            f"{base}/api/v1/studios/{sid}/subsidy-payments", json=bodies.payment(), headers=pay
        )
        assert again.status_code == 200
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == retry.json()
        assert payments(database_url, app) == 1
    finally:
        process.kill()
        process.wait(10)


def test_a_command_recorded_by_a_process_that_died_before_answering_is_answered_from_the_store(
    tmp_path: Path, database_url: str, app: Casework
) -> None:
    process, base, secret, _ = serve(tmp_path, database_url)
    try:
        sid = awarded_studio(base, secret)
        subject = key_scope(Actor(subject="finance.crash", role="finance"))
        body = bodies.payment()
        # What the dying process did: took the key, recorded the payment in the same
        # transaction as the key's outcome, and never kept its answer.
        url = f"{base}/api/v1/studios/{sid}/subsidy-payments"
        sent = httpx.Request("POST", url, json=body)
        digest = hashlib.sha256(b"\n".join([b"POST", sent.url.path.encode(), sent.content])).hexdigest()
        owner = uuid.uuid4()
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(
                f"INSERT INTO {IDEMPOTENCY_TABLE} (subject, key, request_hash, owner) "  # noqa: S608
                "VALUES (%s, %s, %s, %s)",
                (subject, KEY, digest, owner),
            )
        key = RequestKey(subject=subject, key=KEY, owner=owner, business_date=app.today())
        context = Context(actor=b.FINANCE, correlation_id="c", request_id="r", idempotency=key)
        payment = c.PaySubsidy(
            studio_id=uuid.UUID(sid),
            kind="construction",
            amount_fen=3_000_000,
            voucher_no=body["voucher_no"],
            paid_on=dt.date.fromisoformat(body["paid_on"]),
        )
        recorded = app.execute(payment, context)
        pay = headers(secret, "finance", **{"Idempotency-Key": KEY})
        retry = httpx.post(url, json=body, headers=pay)
        assert retry.status_code == 200, retry.text
        assert retry.headers["Idempotent-Replayed"] == "true"
        assert retry.headers["ETag"] == f'"{recorded.studio.version}"'
        assert retry.headers["Casework-Position"] == str(recorded.positions[-1])
        answer: dict[str, Any] = retry.json()
        assert (answer["version"], answer["subsidies"]["construction_paid"]) == (
            recorded.studio.version,
            "30000.00",
        )
        assert payments(database_url, app) == 1
    finally:
        process.kill()
        process.wait(10)
