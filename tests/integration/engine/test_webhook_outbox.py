"""Webhook announcements survive a death between a status move and its announcement: the
move is noted before it is made, and the sweeper announces what a dead mover left (and
sends again a delivery stored but never sent). Run in-process, the death injected."""

from datetime import timedelta

import pytest

from app.domain.clock import utcnow
from app.domain.models import (
    Announcement,
    BulkAction,
    BulkActionStatus,
    Webhook,
    WebhookDelivery,
)
from app.domain.models.ids import saved_id
from app.domain.models.webhook import WebhookEvent
from app.engine import lifecycle, webhooks
from app.infra.redis import tasks
from tests.integration.commands import COUNTER
from tests.integration.factories import processing_action, record_sends

NOW = timedelta(0)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The deliveries sent to the queue (kept in the test, not sent to a receiver)."""
    return record_sends(monkeypatch, tasks, "send_webhook_delivery")


async def hooked_action(account: str, *events: WebhookEvent) -> tuple[Webhook, BulkAction]:
    hook = Webhook(
        account_id=account, url="https://hooks.example/x", events=list(events), secret="s"
    )
    await hook.insert()
    action, _ = await processing_action(account, "CONTACT", "INSERT", [])
    return hook, action


async def deliveries_of(hook: Webhook) -> list[WebhookDelivery]:
    return await WebhookDelivery.find({"webhook_id": hook.id}).to_list()


async def test_a_move_whose_mover_died_before_announcing_is_announced_by_the_sweeper(
    database: None, account: str, sent: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hook, action = await hooked_action(account, WebhookEvent.ACTION_COMPLETED)
    announce = webhooks.announce

    async def dies(*args: object, **kwargs: object) -> None:
        raise RuntimeError("killed between the move and its announcement")

    monkeypatch.setattr(webhooks, "announce", dies)
    with pytest.raises(RuntimeError):
        await lifecycle.transition(
            saved_id(action), BulkActionStatus.COMPLETED, finished_at=utcnow()
        )
    monkeypatch.setattr(webhooks, "announce", announce)
    assert (await BulkAction.get(action.id)).status is BulkActionStatus.COMPLETED  # type: ignore[union-attr]
    assert await deliveries_of(hook) == []

    # The suite's other actions may have notes too (repeated moves leave theirs for the
    # sweeper): what matters is what becomes of this one.
    await webhooks.announce_missed(grace=NOW)
    delivered = await deliveries_of(hook)
    assert [(d.event, d.action_id) for d in delivered] == [("ACTION_COMPLETED", action.id)]
    assert [sent_id for sent_id in sent if sent_id.startswith(str(hook.id))] == [delivered[0].id]
    assert await Announcement.find({"action_id": action.id}).count() == 0
    await webhooks.announce_missed(grace=NOW)  # once: no second delivery, nothing sent again
    assert len(await deliveries_of(hook)) == 1
    assert [sent_id for sent_id in sent if sent_id.startswith(str(hook.id))] == [delivered[0].id]


async def test_a_move_announced_in_time_leaves_no_note_and_one_that_never_happened_is_dropped(
    database: None, account: str, sent: list[str]
) -> None:
    hook, action = await hooked_action(account, WebhookEvent.ACTION_COMPLETED)
    # A mover that died before its move:
    await webhooks.intend(saved_id(action), account, BulkActionStatus.COMPLETED)
    await lifecycle.transition(saved_id(action), BulkActionStatus.FAILED, error="boom")
    await webhooks.announce_missed(grace=NOW)
    assert await Announcement.find({"action_id": action.id}).count() == 0
    assert await deliveries_of(hook) == []  # the hook asked for completions only
    assert not [sent_id for sent_id in sent if sent_id.startswith(str(hook.id))]


async def test_a_move_no_webhook_hears_of_is_not_noted(
    database: None, account: str, sent: list[str]
) -> None:
    """No webhook of the account asked for the event: no note is written before the move
    (nor dropped after it), only the account's webhooks are read."""
    _, action = await hooked_action(account, WebhookEvent.ACTION_FAILED)
    with COUNTER.counting() as commands:
        await lifecycle.transition(
            saved_id(action), BulkActionStatus.COMPLETED, account_id=account, finished_at=utcnow()
        )
    assert [command for command in commands if command[1] == "announcements"] == []
    assert ("find", "webhooks") in commands
    assert await Announcement.find({"action_id": action.id}).count() == 0
    assert not sent


async def test_a_delivery_stored_but_never_sent_is_sent_again_once(
    database: None, account: str, sent: list[str]
) -> None:
    hook, action = await hooked_action(account, WebhookEvent.ACTION_COMPLETED)
    delivery = WebhookDelivery(
        id=f"{hook.id}:{action.id}:ACTION_COMPLETED",
        webhook_id=saved_id(hook),
        account_id=account,
        event="ACTION_COMPLETED",
        action_id=action.id,
        body="{}",
        created_at=utcnow() - timedelta(seconds=10),
    )
    await delivery.insert()
    grace = timedelta(seconds=5)  # the suite's own sweeper waits minutes: it leaves this one
    assert delivery.id in await webhooks.send_unsent(grace)
    # Sent again within the grace: not again.
    assert delivery.id not in await webhooks.send_unsent(grace)
    assert [sent_id for sent_id in sent if sent_id.startswith(str(hook.id))] == [delivery.id]
