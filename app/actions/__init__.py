"""Action types (UPDATE, INSERT, UPSERT, DELETE): one module each, registered in `actions`."""

from app.actions._base import ActionSpec, ChunkContext, Outcome, PreparedInput, actions

__all__ = ["ActionSpec", "ChunkContext", "Outcome", "PreparedInput", "actions"]
