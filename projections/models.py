"""Every read model casework keeps."""

from __future__ import annotations

from casework.integrity import Signer
from projections.audit import AuditTrail
from projections.base import Projection
from projections.chain import Chain
from projections.ledger import Ledger
from projections.register import Register


def all_projections(signer: Signer | None = None) -> list[Projection]:
    """Every read model; with a signer, the chain projection also signs checkpoints."""
    return [Register(), AuditTrail(), Ledger(), Chain(signer)]
