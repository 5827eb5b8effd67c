"""Beanie documents the platform stores, besides the entities themselves."""

from beanie import Document

from app.domain.access.api_key import ApiKey
from app.domain.access.audit_event import AuditEvent
from app.domain.drip.documents import DripBatch, DripPace
from app.domain.models.account_limit import AccountLimit
from app.domain.models.action_control import ActionControl
from app.domain.models.action_log import ActionLog, LogBlock, LogReason, LogStatus
from app.domain.models.before_image import BeforeImageBlock
from app.domain.models.bulk_action import BulkAction, WorkingData
from app.domain.models.chunk import Chunk, ChunkDecision, ChunkRows, DeletionClaim
from app.domain.models.custom_field import CustomFieldDefinition, FieldSet
from app.domain.models.idempotency import IdempotencyKey
from app.domain.models.input_batch import InputBatch
from app.domain.models.webhook import Announcement, Webhook, WebhookDelivery
from app.domain.status import (
    SHOWN_BY_REQUEST,
    TERMINAL_STATUSES,
    BulkActionStatus,
    ControlRequest,
)

__all__ = [
    "SHOWN_BY_REQUEST",
    "TERMINAL_STATUSES",
    "AccountLimit",
    "ActionControl",
    "ActionLog",
    "Announcement",
    "ApiKey",
    "AuditEvent",
    "BeforeImageBlock",
    "BulkAction",
    "BulkActionStatus",
    "Chunk",
    "ChunkDecision",
    "ChunkRows",
    "ControlRequest",
    "CustomFieldDefinition",
    "DeletionClaim",
    "DripBatch",
    "DripPace",
    "FieldSet",
    "IdempotencyKey",
    "InputBatch",
    "LogBlock",
    "LogReason",
    "LogStatus",
    "Webhook",
    "WebhookDelivery",
    "WorkingData",
    "platform_documents",
]


def platform_documents() -> list[type[Document]]:
    return [
        BulkAction,
        Chunk,
        ChunkRows,
        ChunkDecision,
        InputBatch,
        LogBlock,
        BeforeImageBlock,
        IdempotencyKey,
        DeletionClaim,
        ActionControl,
        AccountLimit,
        Announcement,
        Webhook,
        WebhookDelivery,
        CustomFieldDefinition,
        FieldSet,
        DripPace,
        DripBatch,
        ApiKey,
        AuditEvent,
    ]
