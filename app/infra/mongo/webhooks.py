"""The webhooks store: every read and write of webhooks, their deliveries, and the notes of
moves still to be announced (app.domain.models.webhook)."""

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import suppress
from datetime import datetime
from typing import Any

from beanie import PydanticObjectId
from pymongo.errors import DuplicateKeyError

from app.domain.clock import utcnow
from app.domain.models import Announcement, BulkActionStatus, Webhook, WebhookDelivery
from app.domain.models.webhook import DeliveryState


async def insert(hook: Webhook) -> None:
    await hook.insert()


async def count_of_account(account_id: str) -> int:
    return await Webhook.find({"account_id": account_id}).count()


async def of_account(account_id: str) -> list[Webhook]:
    return await Webhook.find({"account_id": account_id}).sort("_id").to_list()


async def get(webhook_id: PydanticObjectId, account_id: str | None = None) -> Webhook | None:
    """The webhook (if `account_id` is given, only when that account has it)."""
    if account_id is None:
        return await Webhook.get(webhook_id)
    return await Webhook.find_one({"_id": webhook_id, "account_id": account_id})


async def delete(hook: Webhook) -> None:
    await hook.delete()


async def listening(account_id: str, event: str) -> AsyncIterator[Webhook]:
    """The account's webhooks that asked for this event."""
    async for hook in Webhook.find({"account_id": account_id, "events": event}):
        yield hook


async def add_delivery(delivery: WebhookDelivery) -> bool:
    """Stores a new delivery; False when one of its id was stored already."""
    try:
        await delivery.insert()
    except DuplicateKeyError:
        return False
    return True


async def delivery(delivery_id: str) -> WebhookDelivery | None:
    return await WebhookDelivery.get(delivery_id)


async def add_attempt(delivery_id: str, attempt: Mapping[str, Any]) -> None:
    await WebhookDelivery.get_pymongo_collection().update_one(
        {"_id": delivery_id}, {"$push": {"attempts": dict(attempt)}}
    )


async def end_delivery(delivery_id: str, state: DeliveryState) -> None:
    done: dict[str, object] = {"state": str(state)}
    if state is DeliveryState.DELIVERED:
        done["delivered_at"] = utcnow()
    await WebhookDelivery.get_pymongo_collection().update_one({"_id": delivery_id}, {"$set": done})


async def unsent(cutoff: datetime, limit: int) -> list[str]:
    """Deliveries stored before `cutoff` never tried, nor sent again since `cutoff`; each
    is marked sent again now."""
    deliveries = WebhookDelivery.get_pymongo_collection()
    cursor = deliveries.find(
        {
            "state": str(DeliveryState.PENDING),
            "attempts": {"$size": 0},
            "created_at": {"$lt": cutoff},
            "$or": [{"resent_at": None}, {"resent_at": {"$lt": cutoff}}],
        },
        {"_id": 1},
    )
    found = [str(doc["_id"]) for doc in await cursor.limit(limit).to_list()]
    for delivery_id in found:
        await deliveries.update_one({"_id": delivery_id}, {"$set": {"resent_at": utcnow()}})
    return found


async def count_deliveries(query: Mapping[str, Any]) -> int:
    return await WebhookDelivery.find(dict(query)).count()


async def deliveries_page(
    query: Mapping[str, Any], sort: Sequence[str], limit: int
) -> list[WebhookDelivery]:
    return await WebhookDelivery.find(dict(query)).sort(*sort).limit(limit).to_list()


async def note_move(action_id: PydanticObjectId, status: BulkActionStatus) -> None:
    """Notes that a move is to be announced; a note an earlier try made stays."""
    note_id = Announcement.id_for(action_id, status)
    with suppress(DuplicateKeyError):
        await Announcement(id=note_id, action_id=action_id, status=status).insert()


async def drop_note(note_id: str) -> None:
    await Announcement.get_pymongo_collection().delete_one({"_id": note_id})


async def notes_before(before: datetime, limit: int) -> list[Announcement]:
    return await Announcement.find({"made_at": {"$lt": before}}).limit(limit).to_list()
