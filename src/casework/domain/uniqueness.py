"""Rules that span studios, stated as claims the store enforces in one transaction.

One master leads at most one living studio; a voucher number is used once in the
whole system. Checking first and writing later would race, so each decision yields
claims (and releases) that the event store records atomically with the events.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from msgspec import Struct

from casework.domain.events import (
    Amended,
    Assessed,
    CountyRejected,
    Event,
    Revoked,
    Submitted,
    SubsidyPaid,
    Withdrawn,
)
from casework.domain.policy import MEASURES_2013, Policy
from casework.domain.state import Studio

ClaimKind = Literal["master", "voucher"]


class Claim(Struct, frozen=True):
    kind: ClaimKind
    key: str
    studio_id: UUID
    release: bool = False


def claims_of(
    studio_id: UUID, state: Studio | None, events: list[Event], policy: Policy = MEASURES_2013
) -> list[Claim]:
    """The claims (and releases) that recording ``events`` on ``state`` makes."""
    claims: list[Claim] = []
    master_token = state.proposal.master.id.token if state else None
    for event in events:
        match event:
            case Submitted(proposal=proposal):
                master_token = proposal.master.id.token
                if policy.one_active_studio_per_master:
                    claims.append(Claim(kind="master", key=master_token, studio_id=studio_id))
            case Amended(changes=changes) if (
                changes.master is not None and changes.master.id.token != master_token
            ):
                if master_token is not None:
                    claims.append(Claim(kind="master", key=master_token, studio_id=studio_id, release=True))
                master_token = changes.master.id.token
                claims.append(Claim(kind="master", key=master_token, studio_id=studio_id))
            case Withdrawn() | CountyRejected() | Revoked() | Assessed(recommended=False):
                if master_token is not None:
                    claims.append(Claim(kind="master", key=master_token, studio_id=studio_id, release=True))
            case SubsidyPaid(voucher_no=voucher_no):
                claims.append(Claim(kind="voucher", key=voucher_no, studio_id=studio_id))
            case _:
                pass
    return claims
