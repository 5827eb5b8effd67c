"""Action types (UPDATE, INSERT, UPSERT, DELETE): one module each, registered in `actions`."""

from app.domain.actions._base import (
    ActionInput,
    ActionSpec,
    ChunkContext,
    EntityReader,
    EntityWriter,
    ImportRules,
    Outcome,
    PreparedInput,
    UpdateById,
    WriteOp,
    actions,
    can_be_restored,
    inserted_image,
    keeps_before_images,
    rules_of,
)

__all__ = [
    "ActionInput",
    "ActionSpec",
    "ChunkContext",
    "EntityReader",
    "EntityWriter",
    "ImportRules",
    "Outcome",
    "PreparedInput",
    "UpdateById",
    "WriteOp",
    "actions",
    "can_be_restored",
    "inserted_image",
    "keeps_before_images",
    "rules_of",
]
