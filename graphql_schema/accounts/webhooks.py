"""Webhooks in the API: types, the `webhooks` and `webhookDeliveries` queries, and the
create, delete and test mutations (app.usecases.accounts.webhooks)."""

from datetime import datetime
from typing import Annotated

import strawberry

from app.domain.models import Webhook, WebhookDelivery
from app.domain.models.webhook import Attempt
from app.usecases.accounts import webhooks
from graphql_schema.connections import (
    After,
    Before,
    Connection,
    First,
    Last,
    connection,
    page_request,
)
from graphql_schema.context import Info
from graphql_schema.enums import WebhookEvent


@strawberry.type(name="Webhook", description="A URL told when the account's actions move.")
class WebhookType:
    id: strawberry.ID = strawberry.field(description="The webhook's id.")
    url: str = strawberry.field(description="Where deliveries are POSTed (https).")
    events: list[WebhookEvent] = strawberry.field(description="The events it is told of.")
    created_at: datetime = strawberry.field(description="When it was made.")

    @classmethod
    def of(cls, hook: Webhook) -> "WebhookType":
        return cls(
            id=strawberry.ID(str(hook.id)),
            url=hook.url,
            events=hook.events,
            created_at=hook.created_at,
        )


@strawberry.type(name="WebhookCreated", description="A new webhook and its signing secret.")
class WebhookCreatedType:
    webhook: WebhookType = strawberry.field(description="The webhook.")
    secret: str = strawberry.field(
        description="Signs every delivery (Bulk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 "
        'of "<t>.<raw body>">). Shown only now.'
    )


@strawberry.type(name="WebhookAttempt", description="One POST of a delivery.")
class AttemptType:
    at: datetime = strawberry.field(description="When it was sent.")
    status_code: int | None = strawberry.field(description="The receiver's HTTP status.")
    error: str | None = strawberry.field(description="Why no status came back.")
    seconds: float = strawberry.field(description="How long the receiver took to answer.")

    @classmethod
    def of(cls, attempt: Attempt) -> "AttemptType":
        return cls(
            at=attempt.at,
            status_code=attempt.status_code,
            error=attempt.error,
            seconds=attempt.seconds,
        )


@strawberry.type(
    name="WebhookDelivery", description="One event told to a webhook, with its attempts."
)
class DeliveryType:
    id: strawberry.ID = strawberry.field(description="Stable across retries: de-duplicate by it.")
    event: str = strawberry.field(description="A WebhookEvent, or TEST from testWebhook.")
    action_id: strawberry.ID | None = strawberry.field(
        description="The action it tells of (none for TEST)."
    )
    state: str = strawberry.field(description="PENDING (being retried), DELIVERED or FAILED.")
    attempts: list[AttemptType] = strawberry.field(description="Its POSTs so far, in order.")
    created_at: datetime = strawberry.field(description="When the event happened.")
    delivered_at: datetime | None = strawberry.field(
        description="When the receiver accepted it (a 2xx answer)."
    )

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> "DeliveryType":
        return cls(
            id=strawberry.ID(delivery.id),
            event=delivery.event,
            action_id=strawberry.ID(str(delivery.action_id)) if delivery.action_id else None,
            state=str(delivery.state),
            attempts=[AttemptType.of(attempt) for attempt in delivery.attempts],
            created_at=delivery.created_at,
            delivered_at=delivery.delivered_at,
        )


WebhookId = Annotated[strawberry.ID, strawberry.argument(description="The webhook's id.")]


@strawberry.type(description="Reading webhooks.")
class WebhookQuery:
    @strawberry.field(description="The caller's webhooks.")
    async def webhooks(self, info: Info) -> list[WebhookType]:
        return [WebhookType.of(h) for h in await webhooks.list_webhooks(info.context.principal)]

    @strawberry.field(description="A webhook's deliveries, newest first, each with its attempts.")
    async def webhook_deliveries(
        self,
        info: Info,
        id: WebhookId,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[DeliveryType]:
        paging = page_request(info, first, after, last, before)
        page = await webhooks.deliveries(info.context.principal, id, paging)
        return connection(page, DeliveryType.of)


@strawberry.type(description="Making, deleting and testing webhooks.")
class WebhookMutation:
    @strawberry.mutation(
        description="Tells `url` (https; public addresses only) of the account's actions' "
        "`events`, signed with the secret answered here."
    )
    async def create_webhook(
        self,
        info: Info,
        url: Annotated[str, strawberry.argument(description="The receiver's https URL.")],
        events: Annotated[
            list[WebhookEvent], strawberry.argument(description="The events to tell it of.")
        ],
    ) -> WebhookCreatedType:
        hook, secret = await webhooks.create_webhook(info.context.principal, url, events)
        return WebhookCreatedType(webhook=WebhookType.of(hook), secret=secret)

    @strawberry.mutation(description="Deletes the webhook; answers its id.")
    async def delete_webhook(self, info: Info, id: WebhookId) -> strawberry.ID:
        return strawberry.ID(await webhooks.delete_webhook(info.context.principal, id))

    @strawberry.mutation(description="Sends the webhook a TEST delivery now.")
    async def test_webhook(self, info: Info, id: WebhookId) -> DeliveryType:
        return DeliveryType.of(await webhooks.test_webhook(info.context.principal, id))
