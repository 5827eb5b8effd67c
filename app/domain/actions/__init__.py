"""Action types (UPDATE, INSERT, UPSERT, DELETE): one module each, registered in `actions`."""

from app.domain.actions._base import (
    ActionInput,
    ActionSpec,
    ChunkContext,
    DeleteById,
    EntityReader,
    EntityWriter,
    ImportRules,
    Outcome,
    PreparedInput,
    UpdateById,
    WriteOp,
    actions,
    can_be_restored,
    decisions_kept_for_restore,
    rules_of,
)

__all__ = [
    "ActionInput",
    "ActionSpec",
    "ChunkContext",
    "DeleteById",
    "EntityReader",
    "EntityWriter",
    "ImportRules",
    "Outcome",
    "PreparedInput",
    "UpdateById",
    "WriteOp",
    "actions",
    "can_be_restored",
    "decisions_kept_for_restore",
    "rules_of",
]
