"""The audit store: audit events are appended, read a page at a time, and deleted when their
retention ends (a TTL index on mongod; the sweeper on FerretDB v1, which has none)."""

from datetime import datetime

from app.domain.access import AuditEvent


async def append(event: AuditEvent) -> None:
    await event.insert()


async def delete_expired(now: datetime) -> int:
    result = await AuditEvent.get_pymongo_collection().delete_many({"expires_at": {"$lt": now}})
    return result.deleted_count
