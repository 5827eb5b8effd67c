"""A bulk action: what to do to which entities, its lifecycle and its outcome counters."""

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from beanie import Document, PydanticObjectId
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from app.domain.clock import utcnow
from app.domain.status import BulkActionStatus


class WorkingData(StrEnum):
    """What an action keeps of the data it worked with (its chunks' rows and decisions, its
    input batches, its upload). The action itself, its chunks' counts and its logs stay."""

    KEPT = "KEPT"  # all of it: running, or ended and not swept yet
    FOR_RETRY = "FOR_RETRY"  # ended: its rows and upload, while it can be retried
    DELETED = "DELETED"  # none


class BulkAction(Document):
    account_id: str
    entity_type: str
    action_type: str
    status: BulkActionStatus = BulkActionStatus.QUEUED
    created_at: datetime = Field(default_factory=utcnow)
    scheduled_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    idempotency_key: str | None = None
    # Fields set on every target when the action names its targets by id or by filter,
    # and the field operations besides set (app.domain.operations), checked.
    fields: dict[str, Any] | None = None
    operations: dict[str, dict[str, Any]] | None = None
    # A CSV input: the upload, and the entity field (or "id", or None to ignore) per column.
    upload_id: str | None = None
    columns: list[str | None] | None = None
    # An audience (app.domain.filters, in checked form): the targets are its matches among
    # the account's entities up to `targets_up_to`, the newest entity id when planning began.
    filter: dict[str, Any] | None = None
    targets_up_to: PydanticObjectId | None = None
    # EXPORT: the columns of the file, in order.
    export_columns: list[str] | None = None
    # The account's custom fields as they were when it was made (app.domain.models.
    # custom_field.FieldSet), None when it had none.
    field_set: str | None = None
    # Records and CSVs: the field rows are matched by (None: the action type's default), and
    # how empty input values and values the entities hold already are treated.
    match_by: str | None = None
    empty_values: str = "SKIP"
    existing_values: str = "OVERWRITE"
    decimal_mark: str = "POINT"  # or COMMA: how numbers written as text in its rows are read
    date_order: str | None = None  # DAY_FIRST or MONTH_FIRST: how days with slashes are read
    # A dry run: every row gets the outcome it would have, no entity is written, and the
    # rows are not charged to the account's limit. `run_of` names the dry run a real action
    # was made from (runBulkAction).
    dry_run: bool = False
    # Made with a drip (its pace, in force now, is app.domain.drip.documents.DripPace): its
    # chunks run in batches at that pace (a dry run's are not paced, only estimated).
    dripped: bool = False
    run_of: PydanticObjectId | None = None
    # A RESTORE names the action it undoes (whose before-images are its rows), and that
    # action names its restore; a retry names the action whose failed rows it runs again.
    restore_of: PydanticObjectId | None = None
    restored_by: PydanticObjectId | None = None
    retry_of: PydanticObjectId | None = None
    # Who made it: a user of the identity provider, or an API key.
    created_by_user: str | None = None
    created_by_key: str | None = None
    error: str | None = None

    total: int | None = None
    # The rows its input holds, known when it is made (records, ids, a CSV's rows; not a
    # filter's matches): its total while planning has not counted them yet.
    expected_total: int | None = None
    chunks_total: int | None = None
    # Final counts, written once when the action finishes; while it runs, its progress is
    # the sum over its chunks (app.domain.progress).
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0
    # How much of its working data is deleted since it ended (app.engine.retention).
    working_data: WorkingData = WorkingData.KEPT

    class Settings:
        name = "bulk_actions"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("account_id", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("account_id", ASCENDING), ("status", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("working_data", ASCENDING), ("status", ASCENDING)]),
        ]
