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

from collections.abc import Sequence
from datetime import timedelta

from beanie import PydanticObjectId

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
from app.infra.mongo import actions
from app.infra.mongo import webhooks as stored
from app.infra.redis import tasks
from app.infra.settings import get_settings

# A move's mover has this long to announce it before the sweeper does.
ANNOUNCE_GRACE = timedelta(seconds=30)
# A delivery stored but not tried this long after (or after it was last sent again) has lost
# its message.
UNSENT_GRACE = timedelta(minutes=2)
MISSED_PAGE = 100


async def intend(
    action_id: PydanticObjectId, account_id: str, status: BulkActionStatus
) -> list[Webhook]:
    """Before a move is made: the account's webhooks that hear of it, and, when there are
    any, a note that it is to be announced. A webhook stored while the move is being made
    may not hear of it; one stored before it does."""
    event = EVENT_OF_STATUS.get(status)
    if event is None:
        return []
    hearing = [hook async for hook in stored.listening(account_id, str(event))]
    if hearing:
        await stored.note_move(action_id, status)  # a note an earlier try made stays
    return hearing


async def announce(
    action: BulkAction,
    status: BulkActionStatus | None = None,
    hearing: Sequence[Webhook] | None = None,
) -> None:
    """Queues a delivery of the action's move to `status` (by default its current one) to
    each webhook of its account that asked (`hearing`, when the mover found them), then
    drops the move's note."""
    status = status or action.status
    event = EVENT_OF_STATUS.get(status)
    if event is None:
        return
    if hearing is None:
        hearing = [hook async for hook in stored.listening(action.account_id, str(event))]
    elif not hearing:
        return  # nobody hears of it: no note was made
    for hook in hearing:
        delivery_id = f"{hook.id}:{action.id}:{event}"
        delivery = WebhookDelivery(
            id=delivery_id,
            webhook_id=saved_id(hook),
            account_id=action.account_id,
            event=str(event),
            action_id=action.id,
            body=delivery_body(delivery_id, str(event), action_summary(action)),
        )
        if await stored.add_delivery(delivery):
            await tasks.send_webhook_delivery(delivery_id)
        # else announced before: sent then, or by the sweeper if that was lost
    await stored.drop_note(Announcement.id_for(saved_id(action), status))


def reached(action: BulkAction, status: BulkActionStatus) -> bool:
    """Whether the action made its move to `status` (it may have moved on since)."""
    if status is BulkActionStatus.PROCESSING:
        return action.started_at is not None
    return action.status is status


async def announce_missed(grace: timedelta = ANNOUNCE_GRACE) -> int:
    """Announces the moves noted more than `grace` ago whose mover did not finish telling
    the webhooks, drops the notes of moves that can no longer happen, and sends again the
    deliveries whose message was lost. Returns how many moves it announced."""
    announced = 0
    for note in await stored.notes_before(utcnow() - grace, MISSED_PAGE):
        action = await actions.get(note.action_id)
        if action is not None and reached(action, note.status):
            await announce(action, note.status)
            announced += 1
        elif action is None or action.status in TERMINAL_STATUSES:
            await stored.drop_note(note.id)
    await send_unsent()
    return announced


async def send_unsent(grace: timedelta = UNSENT_GRACE) -> list[str]:
    """Sends again the deliveries stored more than `grace` ago and never tried (nor sent
    again within `grace`); returns their ids."""
    unsent = await stored.unsent(utcnow() - grace, MISSED_PAGE)
    for delivery_id in unsent:
        await tasks.send_webhook_delivery(delivery_id)
    return unsent


def backoff_ms(attempts: int) -> int:
    settings = get_settings()
    doubled: int = settings.webhook_min_backoff_ms * 2 ** max(attempts - 1, 0)
    return min(doubled, settings.webhook_max_backoff_ms)


async def deliver(delivery_id: str) -> None:
    """One attempt at the delivery; raises ComeBackLater when it is to be tried again."""
    delivery = await stored.delivery(delivery_id)
    if delivery is None or delivery.state is not DeliveryState.PENDING:
        return
    hook = await stored.get(delivery.webhook_id)
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
    await stored.add_attempt(delivery.id, attempt.model_dump())
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
    await stored.end_delivery(delivery.id, state)


async def give_up(delivery_id: str, error: str) -> None:
    """Retries of the message are spent (an error in the platform, not the receiver)."""
    delivery = await stored.delivery(delivery_id)
    if delivery is not None and delivery.state is DeliveryState.PENDING:
        await finish(delivery, DeliveryState.FAILED)
