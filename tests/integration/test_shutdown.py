"""SIGTERM lets a request in flight finish, then the service stops cleanly."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import httpx

from api.auth import issue_token, jwt_secret
from tests.serving import start_serving


def test_sigterm_drains_the_request_in_flight(tmp_path: Path) -> None:
    process, base, env = start_serving(tmp_path)
    token = issue_token(jwt_secret(None, Path(env["CASEWORK_DATA_DIR"])), role="finance", subject="drain")
    rows = "\n".join(f"V{n:07d},91330300000000001N,30000.00,2026-06-01" for n in range(40_000))
    statement = ("voucher_no,payee_credit_code,amount,paid_on\n" + rows + "\n").encode()
    answers: list[int] = []

    def post() -> None:
        answer = httpx.post(
            f"{base}/api/v1/reconciliations",
            content=statement,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
            timeout=60,
        )
        answers.append(answer.status_code)

    sender = threading.Thread(target=post)
    sender.start()
    time.sleep(0.5)  # the statement is being reconciled
    process.send_signal(signal.SIGTERM)
    sender.join(60)
    assert answers == [201], "the request in flight was answered"
    assert process.wait(30) == 0
