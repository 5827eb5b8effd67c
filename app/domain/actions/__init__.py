"""Action types (UPDATE, INSERT, UPSERT, DELETE): one module each, registered in `actions`."""

from app.domain.actions._base import (
    ActionInput,
    ActionSpec,
    BulkWriter,
    ChunkContext,
    Outcome,
    PreparedInput,
    WriteOp,
    actions,
)

__all__ = [
    "ActionInput",
    "ActionSpec",
    "BulkWriter",
    "ChunkContext",
    "Outcome",
    "PreparedInput",
    "WriteOp",
    "actions",
]
