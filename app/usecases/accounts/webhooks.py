"""An account's webhooks: made (the secret shown once), listed, deleted, tested, and their
deliveries read; another account's are NOT_FOUND."""

import secrets
from collections.abc import Sequence
from datetime import datetime

from beanie import PydanticObjectId
from bson import ObjectId

from app.domain.access import AuditKind
from app.domain.errors import BadUserInput, NotFound
from app.domain.models import Webhook, WebhookDelivery
from app.domain.models.ids import saved_id
from app.domain.models.webhook import TEST_EVENT, WebhookEvent, delivery_body
from app.domain.principal import Principal
from app.infra.http import webhooks as webhook_http
from app.infra.mongo import webhooks as stored
from app.infra.redis import tasks
from app.usecases.accounts import audit
from app.usecases.reading.pagination import (
    Page,
    PageRequest,
    decode_cursor,
    encode_cursor,
    keyset_bounds,
    not_a_cursor,
    page_of,
    reading_order,
)

MAX_WEBHOOKS = 20
CURSOR = "delivery"


async def create_webhook(
    principal: Principal, url: str, events: Sequence[WebhookEvent]
) -> tuple[Webhook, str]:
    """The new webhook and its signing secret (not shown again)."""
    if not events:
        raise BadUserInput("Name at least one event.")
    await webhook_http.check_url(url)
    if await stored.count_of_account(principal.account_id) >= MAX_WEBHOOKS:
        raise BadUserInput(f"An account has at most {MAX_WEBHOOKS} webhooks.")
    secret = secrets.token_hex(32)
    hook = Webhook(
        account_id=principal.account_id, url=url, events=list(dict.fromkeys(events)), secret=secret
    )
    await stored.insert(hook)
    await audit.record(principal, AuditKind.WEBHOOK_CREATED, subject=str(hook.id), url=url)
    return hook, secret


async def list_webhooks(principal: Principal) -> list[Webhook]:
    return await stored.of_account(principal.account_id)


async def get_webhook(principal: Principal, webhook_id: str) -> Webhook:
    if not ObjectId.is_valid(webhook_id):
        raise BadUserInput(f"{webhook_id!r} is not a webhook id (24 hexadecimal characters).")
    found = await stored.get(PydanticObjectId(webhook_id), principal.account_id)
    if found is None:
        raise NotFound(f"No webhook with id {webhook_id!r}.")
    return found


async def delete_webhook(principal: Principal, webhook_id: str) -> str:
    """Deletes it; deliveries under way are given up (their history stays)."""
    hook = await get_webhook(principal, webhook_id)
    await stored.delete(hook)
    await audit.record(principal, AuditKind.WEBHOOK_DELETED, subject=str(hook.id), url=hook.url)
    return str(hook.id)


async def test_webhook(principal: Principal, webhook_id: str) -> WebhookDelivery:
    """Sends it a TEST event now (signed like the others, retried like them)."""
    hook = await get_webhook(principal, webhook_id)
    delivery_id = f"{hook.id}:test:{ObjectId()}"
    delivery = WebhookDelivery(
        id=delivery_id,
        webhook_id=saved_id(hook),
        account_id=hook.account_id,
        event=TEST_EVENT,
        body=delivery_body(delivery_id, TEST_EVENT, None),
    )
    await stored.add_delivery(delivery)
    await tasks.send_webhook_delivery(delivery_id)
    return delivery


async def deliveries(
    principal: Principal, webhook_id: str, request: PageRequest
) -> Page[WebhookDelivery]:
    """The webhook's deliveries, newest first (keyset paging on when they were made)."""
    hook = await get_webhook(principal, webhook_id)
    query: dict[str, object] = {"webhook_id": hook.id}
    total = await stored.count_deliveries(query)
    if bounds := keyset_bounds(request, descending=True):
        query["$and"] = [beyond(operator, cursor) for operator, cursor in bounds]
    order = reading_order(request, descending=True)
    found = await stored.deliveries_page(
        query, [f"{order}created_at", f"{order}_id"], request.size + 1
    )
    return page_of(found, request, delivery_cursor, total)


def delivery_cursor(delivery: WebhookDelivery) -> str:
    return encode_cursor(CURSOR, f"{delivery.created_at.isoformat()}|{delivery.id}")


def beyond(operator: str, cursor: str) -> dict[str, object]:
    """The deliveries on the `operator` side of the cursor's (created_at, id)."""
    made, _, delivery_id = decode_cursor(CURSOR, cursor).partition("|")
    try:
        at = datetime.fromisoformat(made)
    except ValueError:
        raise not_a_cursor(cursor) from None
    return {
        "$or": [
            {"created_at": {operator: at}},
            {"created_at": at, "_id": {operator: delivery_id}},
        ]
    }
