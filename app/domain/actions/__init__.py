"""Action types (UPDATE, INSERT, UPSERT, DELETE): one module each, registered in `actions`."""

from app.domain.actions._base import (
    ActionInput,
    ActionSpec,
    ChunkContext,
    EntityReader,
    EntityWriter,
    Outcome,
    PreparedInput,
    WriteOp,
    actions,
    keeps_before_images,
)

__all__ = [
    "ActionInput",
    "ActionSpec",
    "ChunkContext",
    "EntityReader",
    "EntityWriter",
    "Outcome",
    "PreparedInput",
    "WriteOp",
    "actions",
    "keeps_before_images",
]
