"""Reading actions and entities; always scoped to the caller's account."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from beanie import Document, PydanticObjectId
from bson import ObjectId

from app.domain.entities import EntityDocument, EntitySpec, entities
from app.domain.errors import BadUserInput, NotFound
from app.domain.filters import check_filter, to_query
from app.domain.models import (
    SHOWN_BY_REQUEST,
    BulkAction,
    BulkActionStatus,
    ControlRequest,
)
from app.domain.principal import Principal
from app.infra.mongo import actions, controls, db
from app.infra.mongo.accounts import custom_fields
from app.usecases.bounds import check_filter_bounds, database_time
from app.usecases.reading.pagination import (
    Page,
    PageRequest,
    decode_cursor,
    encode_cursor,
    keyset_bounds,
    not_a_cursor,
    page_of,
    reading_order,
    tighten,
)

D = TypeVar("D", bound=Document)


def object_id(value: str, what: str) -> PydanticObjectId:
    if not ObjectId.is_valid(value):
        raise BadUserInput(f"{value!r} is not a {what} id (24 hexadecimal characters).")
    return PydanticObjectId(value)


async def get_action(
    principal: Principal, action_id: str, *, cached_if_ended: bool = False
) -> BulkAction:
    """The caller's action; NOT_FOUND when it has none of this id. `cached_if_ended`: an
    ended one may be this process's copy (for reading its logs: actions.of_account_to_read)."""
    read = actions.of_account_to_read if cached_if_ended else actions.of_account
    action = await read(object_id(action_id, "bulk action"), principal.account_id)
    if action is None:
        raise NotFound(f"No bulk action with id {action_id!r}.")
    return action


@dataclass(frozen=True)
class ActionFilter:
    """Which of the caller's actions a list shows: a status, an action type, made in a time
    range (created_after inclusive, created_before exclusive)."""

    status: BulkActionStatus | None = None
    action_type: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    # Made by this user, or by this API key.
    created_by_user: str | None = None
    created_by_key: str | None = None


def created_range(wanted: ActionFilter) -> dict[str, ObjectId]:
    return id_range(
        ("createdAfter", wanted.created_after), ("createdBefore", wanted.created_before)
    )


def id_range(
    since: tuple[str, datetime | None], until: tuple[str, datetime | None]
) -> dict[str, ObjectId]:
    """A time range (each end named as the API names it; `since` inclusive, `until`
    exclusive) as a range of ids: an id starts with the second it was made, so the
    (account_id, _id) index answers it."""
    bounds: dict[str, ObjectId] = {}
    for name, when, operator in ((*since, "$gte"), (*until, "$lt")):
        if when is None:
            continue
        if when.tzinfo is None:
            raise BadUserInput(f"`{name}` needs a time zone: end it with Z or an offset.")
        bounds[operator] = ObjectId.from_datetime(when)
    return bounds


async def list_actions(
    principal: Principal, wanted: ActionFilter, request: PageRequest
) -> Page[BulkAction]:
    """The caller's actions, newest first."""
    query: dict[str, Any] = {"account_id": principal.account_id}
    if wanted.status is not None:
        query.update(await status_filter(principal, wanted.status))
    if wanted.action_type is not None:
        query["action_type"] = wanted.action_type
    if wanted.created_by_user is not None:
        query["created_by_user"] = wanted.created_by_user
    if wanted.created_by_key is not None:
        query["created_by_key"] = wanted.created_by_key
    for operator, bound in created_range(wanted).items():
        query["_id"] = tighten(query.get("_id", {}), operator, bound)
    return await id_page(BulkAction, query, request, "action", descending=True)


async def id_page(
    document: type[D],
    query: dict[str, Any],
    request: PageRequest,
    kind: str,
    descending: bool,
    max_time_ms: int | None = None,
) -> Page[D]:
    """A page of the documents `query` finds, in `_id` order, keyset-paged on `_id`; each of
    its two queries stopped after `max_time_ms` of database time, when given."""
    total = await db.count(document, query, max_time_ms)
    ranged = dict(query)
    for operator, cursor in keyset_bounds(request, descending):
        ranged["_id"] = tighten(
            ranged.get("_id", {}), operator, ObjectId(cursor_value(kind, cursor))
        )
    order = reading_order(request, descending)
    found = await db.find_sorted(document, ranged, f"{order}_id", request.size + 1, max_time_ms)
    return page_of(found, request, lambda d: encode_cursor(kind, str(d.id)), total)


async def requested(principal: Principal, request: ControlRequest) -> list[Any]:
    return await controls.with_request(principal.account_id, request)


async def status_filter(principal: Principal, status: BulkActionStatus) -> dict[str, Any]:
    """The query for the actions shown with this status: a shown PAUSED or CANCELLING is a
    stored status with a request in force, which the stored status then leaves out."""
    if status in SHOWN_BY_REQUEST:
        request, stored = SHOWN_BY_REQUEST[status]
        return {
            "status": {"$in": [str(s) for s in stored]},
            "_id": {"$in": await requested(principal, request)},
        }
    hidden = [
        action_id
        for request, stored in SHOWN_BY_REQUEST.values()
        if status in stored
        for action_id in await requested(principal, request)
    ]
    return {"status": str(status), "_id": {"$nin": hidden}} if hidden else {"status": str(status)}


def cursor_value(kind: str, cursor: str) -> str:
    value = decode_cursor(kind, cursor)
    if not ObjectId.is_valid(value):
        raise not_a_cursor(cursor)
    return value


def entity_query(principal: Principal, entity: EntitySpec, filter: Any | None) -> dict[str, Any]:
    """The caller's entities, those a filter matches when one is given."""
    check_filter_bounds(filter)
    query: dict[str, Any] = {"account_id": principal.account_id}
    if filter is not None and (matching := to_query(entity, check_filter(entity, filter))):
        query["$and"] = [matching]
    return query


async def list_entities(
    principal: Principal,
    entity_type: str,
    ids: Sequence[str] | None,
    filter: Any | None,
    request: PageRequest,
) -> Page[EntityDocument]:
    """The caller's entities of one type, oldest first."""
    check_filter_bounds(filter)  # before any database work
    entity = await entity_of(principal, entity_type)
    query = entity_query(principal, entity, filter)
    if ids is not None:
        query["_id"] = {"$in": [ObjectId(i) for i in ids if ObjectId.is_valid(i)]}
    with database_time() as max_time_ms:
        page = await id_page(
            entity.document, query, request, "entity", descending=False, max_time_ms=max_time_ms
        )
    if hidden := {field.name for field in entity.custom if field.hidden}:
        # A deleted custom field's values stay stored until retention: they are not shown.
        for _, document in page.items:
            document.data = {name: v for name, v in document.data.items() if name not in hidden}
    return page


async def count_entities(principal: Principal, entity_type: str, filter: Any) -> int:
    check_filter_bounds(filter)  # before any database work
    entity = await entity_of(principal, entity_type)
    query = entity_query(principal, entity, filter)
    with database_time() as max_time_ms:
        return await db.count(entity.document, query, max_time_ms)


async def entity_of(principal: Principal, entity_type: str) -> EntitySpec:
    """The entity type with the caller's custom fields as they are now."""
    try:
        entities.get(entity_type)
    except KeyError as exc:
        raise BadUserInput(f"entityType: {exc.args[0]}.") from None
    return await custom_fields.current(principal.account_id, entity_type)
