"""Telling an account's webhooks that its actions started and ended, at least once.

The lifecycle announces each confirmed move (`announce`): every webhook of the account that
asked for the event gets a delivery, stored once under a stable id and sent by its own
message. `deliver` makes one attempt and records it; a timeout, an error or a non-2xx answer
comes back after an exponential backoff (WEBHOOK_MIN_BACKOFF_MS doubling up to
WEBHOOK_MAX_BACKOFF_MS) until WEBHOOK_RETRY_HOURS after the delivery was made.
"""

from datetime import timedelta

from pymongo.errors import DuplicateKeyError

from app.domain.clock import utcnow
from app.domain.models import BulkAction, Webhook, WebhookDelivery
from app.domain.models.ids import saved_id
from app.domain.models.webhook import (
    EVENT_OF_STATUS,
    Attempt,
    DeliveryState,
    action_summary,
    delivery_body,
)
from app.engine.deferral import ComeBackLater
from app.infra import tasks, webhook_http
from app.infra.settings import get_settings


async def announce(action: BulkAction) -> None:
    """Queues a delivery of the action's move to each webhook of its account that asked."""
    event = EVENT_OF_STATUS.get(action.status)
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
            continue  # announced before: that delivery is under way
        await tasks.send_webhook_delivery(delivery_id)


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
