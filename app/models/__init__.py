"""Beanie documents the platform stores, besides the entities themselves."""

from beanie import Document

from app.models.account_limit import AccountLimit
from app.models.action_control import SHOWN_BY_REQUEST, ActionControl, ControlRequest
from app.models.action_log import ActionLog, LogReason, LogStatus
from app.models.bulk_action import TERMINAL_STATUSES, BulkAction, BulkActionStatus
from app.models.chunk import Chunk, ChunkDecision, ChunkRows
from app.models.idempotency import IdempotencyKey
from app.models.input_batch import InputBatch

__all__ = [
    "SHOWN_BY_REQUEST",
    "TERMINAL_STATUSES",
    "AccountLimit",
    "ActionControl",
    "ActionLog",
    "BulkAction",
    "BulkActionStatus",
    "Chunk",
    "ChunkDecision",
    "ChunkRows",
    "ControlRequest",
    "IdempotencyKey",
    "InputBatch",
    "LogReason",
    "LogStatus",
    "platform_documents",
]


def platform_documents() -> list[type[Document]]:
    return [
        BulkAction,
        Chunk,
        ChunkRows,
        ChunkDecision,
        InputBatch,
        ActionLog,
        IdempotencyKey,
        ActionControl,
        AccountLimit,
    ]
