"""The API serves signed tree heads and bundles without the private key: a replica holds only
the public key (CASEWORK_PUBLIC_KEY), and the projection worker signs."""

from __future__ import annotations

import base64
import dataclasses

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.state import ApiState
from casework.bundles import Bundle, verify_bundle
from casework.settings import Settings
from tests.api.conftest import Tokens
from tests.api.helpers import settled, studio_at

Client = AsyncTestClient[Litestar]


async def test_a_replica_without_the_private_key_serves_bundles_and_the_check(
    client: Client, tokens: Tokens, api_state: ApiState
) -> None:
    assert api_state.signer is not None
    key = api_state.signer.public_key
    studio = await studio_at(client, tokens, "awarded")
    await settled(client)
    replica = dataclasses.replace(api_state, signer=None, public_key=key, run_projections=False, pool=None)
    auditor = tokens.headers("auditor")
    async with AsyncTestClient(app=create_app(replica)) as other:
        answer = await other.get(f"/api/v1/studios/{studio['id']}/history/bundle", headers=auditor)
        assert answer.status_code == 200, answer.text
        bundle = msgspec.json.decode(answer.content, type=Bundle)
        assert verify_bundle(bundle, key).ok
        assert bundle.tree_head.public_key == key
        integrity = await other.get("/api/v1/integrity", headers=auditor)
        assert integrity.json()["ok"] is True, integrity.json()
        assert integrity.json()["public_key"] == key
        assert integrity.json()["checkpoints"] >= 1
        for since in ("0", "-3", str(2**63), str(bundle.tree_head.tree_size + 10**6)):
            wrong = await other.get(
                f"/api/v1/studios/{studio['id']}/history/bundle", params={"since": since}, headers=auditor
            )
            assert wrong.status_code == 422, (since, wrong.text)
            assert "since" in wrong.json()["detail"]


async def test_a_bundle_since_an_earlier_head_proves_the_log_only_grew(
    client: Client, tokens: Tokens, api_state: ApiState
) -> None:
    auditor = tokens.headers("auditor")
    first = await studio_at(client, tokens, "awarded")
    await settled(client)
    before = msgspec.json.decode(
        (await client.get(f"/api/v1/studios/{first['id']}/history/bundle", headers=auditor)).content,
        type=Bundle,
    )
    second = await studio_at(client, tokens, "awarded", serial=2)
    await settled(client)
    answer = await client.get(
        f"/api/v1/studios/{second['id']}/history/bundle",
        params={"since": before.tree_head.tree_size},
        headers=auditor,
    )
    after = msgspec.json.decode(answer.content, type=Bundle)
    assert after.tree_head.tree_size > before.tree_head.tree_size
    assert before.tree_head.tree_size in [e.head.tree_size for e in after.earlier]
    assert api_state.public_key is not None
    assert verify_bundle(after, api_state.public_key, seen=before.tree_head).ok


def test_the_public_key_setting_is_checked_and_names_itself() -> None:
    key = base64.b64encode(bytes(32)).decode()
    assert Settings.from_env({"CASEWORK_PUBLIC_KEY": key}).public_key == key
    for wrong in ("not base64!", base64.b64encode(bytes(31)).decode()):
        with pytest.raises(ValueError, match="CASEWORK_PUBLIC_KEY"):
            Settings.from_env({"CASEWORK_PUBLIC_KEY": wrong})
