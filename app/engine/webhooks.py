"""Telling an account's webhooks that its actions started and ended, at least once.

The lifecycle announces each confirmed move (`announce`): every webhook of the account that
asked for the event gets a delivery, stored once under a stable id and sent by its own
message. The move is noted before it is made (`intend`, an Announcement) and the note
deleted once its deliveries are stored and sent, so a process that dies in between, or
Redis down then, leaves the note: the sweeper announces such moves (`announce_missed`) and
sends again deliveries stored but never tried.

`deliver` makes one attempt and records it; a timeout, an error or a non-2xx answer comes
back after an exponential backoff (WEBHOOK_MIN_BACKOFF_MS doubling up to
WEBHOOK_MAX_BACKOFF_MS) until WEBHOOK_RETRY_HOURS after the delivery was made.
"""

from contextlib import suppress
from datetime import timedelta

from beanie import PydanticObjectId
from pymongo.errors import DuplicateKeyError

from app.domain.clock import utcnow
from app.domain.models import (
    TERMINAL_STATUSES,
    Announcement,
    BulkAction,
    BulkActionStatus,
    Webhook,
    WebhookDelivery,
)
from app.domain.models.ids import saved_id
from app.domain.models.webhook import (
    EVENT_OF_STATUS,
    Attempt,
    DeliveryState,
    action_summary,
    delivery_body,
)
from app.engine.deferral import ComeBackLater
from app.infra.http import webhooks as webhook_http
from app.infra.redis import tasks
from app.infra.settings import get_settings

# A move's mover has this long to announce it before the sweeper does.
ANNOUNCE_GRACE = timedelta(seconds=30)
# A delivery stored but not tried this long after (or after it was last sent again) has lost
# its message.
UNSENT_GRACE = timedelta(minutes=2)
MISSED_PAGE = 100


async def intend(action_id: PydanticObjectId, status: BulkActionStatus) -> None:
    """Notes, before a move is made, that it is to be announced (if webhooks hear of it)."""
    if status not in EVENT_OF_STATUS:
        return
    note_id = Announcement.id_for(action_id, status)
    with suppress(DuplicateKeyError):  # noted by an earlier try of the same move
        await Announcement(id=note_id, action_id=action_id, status=status).insert()


async def announce(action: BulkAction, status: BulkActionStatus | None = None) -> None:
    """Queues a delivery of the action's move to `status` (by default its current one) to
    each webhook of its account that asked, then drops the move's note."""
    status = status or action.status
    event = EVENT_OF_STATUS.get(status)
    if event is None:
        return
    hooks = Webhook.find({"account_id": action.account_id, "events": str(event)})
    async for hook in hooks:
        delivery_id = f"{hook.id}:{action.id}:{event}"
        delivery = WebhookDelivery(
            id=delivery_id,
            webhook_id=saved_id(hook),
            account_id=action.account_id,
            event=str(event),
            action_id=action.id,
            body=delivery_body(delivery_id, str(event), action_summary(action)),
        )
        try:
            await delivery.insert()
        except DuplicateKeyError:
            continue  # announced before: sent then, or by the sweeper if that was lost
        await tasks.send_webhook_delivery(delivery_id)
    note = Announcement.id_for(saved_id(action), status)
    await Announcement.get_pymongo_collection().delete_one({"_id": note})


def reached(action: BulkAction, status: BulkActionStatus) -> bool:
    """Whether the action made its move to `status` (it may have moved on since)."""
    if status is BulkActionStatus.PROCESSING:
        return action.started_at is not None
    return action.status is status


async def announce_missed(grace: timedelta = ANNOUNCE_GRACE) -> int:
    """Announces the moves noted more than `grace` ago whose mover did not finish telling
    the webhooks, drops the notes of moves that can no longer happen, and sends again the
    deliveries whose message was lost. Returns how many moves it announced."""
    notes = Announcement.find({"made_at": {"$lt": utcnow() - grace}}).limit(MISSED_PAGE)
    announced = 0
    for note in await notes.to_list():
        action = await BulkAction.get(note.action_id)
        if action is not None and reached(action, note.status):
            await announce(action, note.status)
            announced += 1
        elif action is None or action.status in TERMINAL_STATUSES:
            await Announcement.get_pymongo_collection().delete_one({"_id": note.id})
    await send_unsent()
    return announced


async def send_unsent(grace: timedelta = UNSENT_GRACE) -> list[str]:
    """Sends again the deliveries stored more than `grace` ago and never tried (nor sent
    again within `grace`); returns their ids."""
    cutoff = utcnow() - grace
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
    unsent = [str(doc["_id"]) for doc in await cursor.limit(MISSED_PAGE).to_list()]
    for delivery_id in unsent:
        await deliveries.update_one({"_id": delivery_id}, {"$set": {"resent_at": utcnow()}})
        await tasks.send_webhook_delivery(delivery_id)
    return unsent


def backoff_ms(attempts: int) -> int:
    settings = get_settings()
    doubled: int = settings.webhook_min_backoff_ms * 2 ** max(attempts - 1, 0)
    return min(doubled, settings.webhook_max_backoff_ms)


async def deliver(delivery_id: str) -> None:
    """One attempt at the delivery; raises ComeBackLater when it is to be tried again."""
    delivery = await WebhookDelivery.get(delivery_id)
    if delivery is None or delivery.state is not DeliveryState.PENDING:
        return
    hook = await Webhook.get(delivery.webhook_id)
    if hook is None:
        await finish(delivery, DeliveryState.FAILED)  # the webhook was deleted
        return
    answer = await webhook_http.post(
        hook.url,
        delivery.body,
        hook.secret,
        {"Bulk-Delivery-Id": delivery.id, "Bulk-Event": delivery.event},
    )
    attempt = Attempt(
        at=utcnow(), status_code=answer.status_code, error=answer.error, seconds=answer.seconds
    )
    await WebhookDelivery.get_pymongo_collection().update_one(
        {"_id": delivery.id}, {"$push": {"attempts": attempt.model_dump()}}
    )
    if answer.ok:
        await finish(delivery, DeliveryState.DELIVERED)
        return
    given_up_at = delivery.created_at + timedelta(hours=get_settings().webhook_retry_hours)
    wait_ms = backoff_ms(len(delivery.attempts) + 1)
    if utcnow() + timedelta(milliseconds=wait_ms) > given_up_at:
        await finish(delivery, DeliveryState.FAILED)
        return
    raise ComeBackLater(wait_ms, "the webhook's receiver did not accept it")


async def finish(delivery: WebhookDelivery, state: DeliveryState) -> None:
    done: dict[str, object] = {"state": str(state)}
    if state is DeliveryState.DELIVERED:
        done["delivered_at"] = utcnow()
    await WebhookDelivery.get_pymongo_collection().update_one({"_id": delivery.id}, {"$set": done})


async def give_up(delivery_id: str, error: str) -> None:
    """Retries of the message are spent (an error in the platform, not the receiver)."""
    delivery = await WebhookDelivery.get(delivery_id)
    if delivery is not None and delivery.state is DeliveryState.PENDING:
        await finish(delivery, DeliveryState.FAILED)
