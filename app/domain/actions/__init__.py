"""Action types (UPDATE, INSERT, UPSERT, DELETE): one module each, registered in `actions`."""

from app.domain.actions._base import (
    ActionInput,
    ActionSpec,
    ChunkContext,
    Outcome,
    PreparedInput,
    actions,
)

__all__ = ["ActionInput", "ActionSpec", "ChunkContext", "Outcome", "PreparedInput", "actions"]
