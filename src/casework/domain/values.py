"""Value objects shared by commands, events and state."""

from __future__ import annotations

from decimal import Decimal

import msgspec
from msgspec import Struct

from casework.domain.rules import BonusKind, HostKind, Level, MaterialKind, MeritKind


def yuan(fen: int) -> str:
    """Money as the API and people write it: 30000.00 (from exact fen, never a float)."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


class ProtectedId(Struct, frozen=True):
    """A resident ID number as casework keeps it: never in plain text.

    ``token`` is a keyed hash (equal numbers, equal tokens: what uniqueness needs),
    ``sealed`` the number encrypted for the few roles that must read it, ``masked``
    what everyone else sees.
    """

    token: str
    masked: str
    sealed: str


class MeritGround(Struct, frozen=True):
    kind: MeritKind
    description: str


class Master(Struct, frozen=True):
    name: str
    id: ProtectedId
    qualification: str | None = None
    unique_skills: bool = False
    grounds: tuple[MeritGround, ...] = ()


class Member(Struct, frozen=True):
    name: str
    id: ProtectedId
    qualification: str | None = None


class Host(Struct, frozen=True):
    kind: HostKind
    name: str
    credit_code: str
    county: str
    education_fund_share_pct: Decimal | None = None
    commits_funding: bool = False
    commits_premises: bool = False
    commits_equipment: bool = False


class Material(Struct, frozen=True):
    kind: MaterialKind
    title: str
    sha256: str
    copies: int = 1


class Proposal(Struct, frozen=True):
    """What an application asks for: everything the submission rules look at."""

    level: Level
    name: str
    occupation: str
    master: Master
    host: Host
    members: tuple[Member, ...] = ()
    materials: tuple[Material, ...] = ()
    plan: str = ""


class ProposalChanges(Struct, frozen=True, omit_defaults=True):
    """An amendment: only the fields that change are present."""

    level: Level | None = None
    name: str | None = None
    occupation: str | None = None
    master: Master | None = None
    host: Host | None = None
    members: tuple[Member, ...] | None = None
    materials: tuple[Material, ...] | None = None
    plan: str | None = None

    def apply_to(self, proposal: Proposal) -> Proposal:
        changed = {f: v for f in self.__struct_fields__ if (v := getattr(self, f)) is not None}
        return msgspec.structs.replace(proposal, **changed)


class ItemScore(Struct, frozen=True):
    self_score: Decimal = msgspec.field(name="self")
    assessed: Decimal = Decimal(0)


class Bonus(Struct, frozen=True):
    kind: BonusKind
    points: Decimal
    note: str = ""
