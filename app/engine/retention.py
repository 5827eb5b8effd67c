"""Retention: what the platform deletes once it is no longer needed, in bounded batches.

The sweeper runs `sweep` every RETENTION_SWEEP_SECONDS (one process at a time). Each step is
idempotent and picks up where an interrupted one stopped, since what it deletes is found
again from the database:

- an action that ended drops its input batches unless it is a dry run (a run of it copies
  them), and its chunks' decisions unless its restore makes its before-images from them
  (`decisions_kept_for_restore`: an UPDATE, UPSERT or DELETE); it keeps its chunks' rows and
  its upload, which a retry reads, and those decisions, for RESTORE_RETENTION_DAYS;
- after that, its rows, decisions, input batches, upload and (a DELETE) deletion claims go
  too (an upload another action still keeps stays). The action, its chunks' counts and its
  logs remain, so history and stats do;
- logs go LOG_RETENTION_DAYS after they were written (TTL index on mongod; here on FerretDB
  v1, which has none), and so do expired before-images (stored by earlier versions);
- an upload no action used within UPLOAD_RETENTION_HOURS is deleted, and input stored by a
  create that died before storing its action, and what an upload whose process died stored
  (MAX_UPLOAD_SECONDS after it started);
- a custom field deleted RESTORE_RETENTION_DAYS ago loses its values in the account's
  entities (until then a restore could put them back), and then its definition.

Work per sweep is bounded (ACTIONS_PER_SWEEP actions per step; ids a thousand per command:
BATCH uploads here, the chunks store's IDS_PER_REPLY chunks), so
deletion never competes with running actions for long.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.actions import actions as action_types
from app.domain.actions import decisions_kept_for_restore
from app.domain.clock import utcnow
from app.domain.entities import entities
from app.domain.entities._base import slot_path
from app.domain.models import (
    TERMINAL_STATUSES,
    WorkingData,
)
from app.infra.files import unfinished, uploads
from app.infra.mongo import actions, before_images, chunks, drips, inputs, logs
from app.infra.mongo import entities as stored_entities
from app.infra.mongo.accounts import audit, custom_fields
from app.infra.mongo.claims import deletions
from app.infra.settings import get_settings

ACTIONS_PER_SWEEP = 20
# Past an upload's time limit: its store may still be closing it (it then finds its note
# taken and keeps nothing; this only spares it that).
UNFINISHED_GRACE = timedelta(minutes=10)
BATCH = 1000
ENDED = [str(status) for status in TERMINAL_STATUSES]


@dataclass
class Swept:
    """What one sweep let go."""

    actions_ended: int = 0
    actions_expired: int = 0
    uploads: int = 0
    unfinished_uploads: int = 0
    logs: int = 0
    images: int = 0
    fields: int = 0
    audit_events: int = 0


async def sweep(now: datetime | None = None) -> Swept:
    now = now or utcnow()
    swept = Swept()
    swept.actions_ended = await release_ended()
    swept.actions_expired = await release_expired(now)
    swept.uploads = await delete_abandoned_uploads(now)
    swept.unfinished_uploads = await delete_unfinished_uploads(now)
    swept.logs = await logs.delete_expired(now)
    swept.images = await before_images.delete_expired(now)
    swept.fields = await purge_deleted_fields(now)
    swept.audit_events = await audit.delete_expired(now)
    return swept


async def purge_deleted_fields(now: datetime) -> int:
    """Custom fields deleted longer ago than a restore reaches lose their values, then their
    definitions (values first: a purge cut short is done again)."""
    until = now - timedelta(days=get_settings().restore_retention_days)
    found = await custom_fields.hidden_before(until, ACTIONS_PER_SWEEP)
    for definition in found:
        entity = entities.get(definition.entity_type)
        slot = slot_path(definition.slot) if definition.slot else None
        await stored_entities.clear_field(entity, definition.account_id, definition.name, slot)
        await custom_fields.remove(definition)
    return len(found)


async def release_ended() -> int:
    """Ended actions drop what no restore or retry reads."""
    found = await actions.to_release(
        {
            "status": {"$in": ENDED},
            "working_data": {"$nin": [str(WorkingData.FOR_RETRY), str(WorkingData.DELETED)]},
        },
        ACTIONS_PER_SWEEP,
    )
    for action in found:
        assert action.id is not None
        if not decisions_kept_for_restore(action):
            await chunks.forget_working_data(action.id, rows=False)
        if not action.dry_run:
            await inputs.delete(action.id)
        await actions.mark_working_data(action.id, WorkingData.FOR_RETRY)
    return len(found)


async def release_expired(now: datetime) -> int:
    """Actions past their restore and retry window drop the rest of their working data."""
    until = now - timedelta(days=get_settings().restore_retention_days)
    found = await actions.to_release(
        {"working_data": str(WorkingData.FOR_RETRY), "finished_at": {"$lt": until}},
        ACTIONS_PER_SWEEP,
    )
    for action in found:
        assert action.id is not None
        await chunks.forget_working_data(action.id, rows=True)
        await inputs.delete(action.id)
        if action_types.get(action.action_type).claims_deletions:
            await deletions.let_go_of_action(action.id)
        if action.dripped:
            await drips.forget([action.id])  # a dry run's pace served its run until now
        if action.upload_id is not None and not await actions.upload_kept_by_other(
            action.upload_id, action.id
        ):
            await uploads.delete(action.upload_id)
        await actions.mark_working_data(action.id, WorkingData.DELETED)
    return len(found)


async def delete_abandoned_uploads(now: datetime) -> int:
    """Uploads older than UPLOAD_RETENTION_HOURS that no action names are deleted; those an
    action names are marked, so later sweeps skip them (the action's retention deletes them)."""
    before = now - timedelta(hours=get_settings().upload_retention_hours)
    upload_ids = await uploads.unclaimed(before, BATCH)
    if not upload_ids:
        return 0
    used = await actions.uploads_named(upload_ids)
    await uploads.mark_used(sorted(used))
    abandoned = [upload_id for upload_id in upload_ids if upload_id not in used]
    for upload_id in abandoned:
        await uploads.delete(upload_id)
    return len(abandoned)


async def delete_unfinished_uploads(now: datetime) -> int:
    """What uploads whose process died mid-way stored (app.infra.files.unfinished): those
    started longer ago than an upload may take, and UNFINISHED_GRACE."""
    before = now - timedelta(seconds=get_settings().max_upload_seconds) - UNFINISHED_GRACE
    await unfinished.forget_ended(before)
    dead = await unfinished.take_dead(before, BATCH)
    for upload_id in dead:
        await uploads.delete(str(upload_id))
        await unfinished.forget(upload_id)
    return len(dead)
