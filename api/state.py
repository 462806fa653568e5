"""What the handlers share: the application, the read pool, the runner, the keys, the clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from api.writes import LastWrites
from casework.application import Casework
from casework.integrity import Signer
from casework.settings import Settings
from casework.vault import Vault
from projections.runner import ProjectionRunner


@dataclass
class ApiState:
    settings: Settings
    database_url: str
    app: Casework
    vault: Vault
    jwt_secret: str
    run_projections: bool = True
    signer: Signer | None = None
    pool: asyncpg.Pool[Any] | None = None
    runner: ProjectionRunner | None = None
    # Read-your-writes: the last log position each user wrote (shared by the workers of one
    # serve), and the position every projection is known to have applied (so that most reads
    # need not ask).
    written: LastWrites = field(default_factory=LastWrites)
    applied: int = 0

    def today(self) -> dt.date:
        """Today's business date in Asia/Shanghai, by the application's one clock."""
        return self.app.today()

    @property
    def db(self) -> asyncpg.Pool[Any]:
        assert self.pool is not None, "the lifespan opens the pool"
        return self.pool
