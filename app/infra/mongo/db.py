"""MongoDB connection: one AsyncMongoClient per process, Beanie initialised on it; what the
server it reached does wrong (`traits`), which the stores ask before the few choices that
differ between mongod and FerretDB; and inserts that a repeated run may do twice."""

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from beanie import Document, init_beanie
from bson import ObjectId
from pymongo import ASCENDING, AsyncMongoClient, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, OperationFailure

from app.domain.actions._base import DUPLICATE_KEY_CODE
from app.domain.entities import entities
from app.domain.models import BulkAction, platform_documents
from app.infra.settings import get_settings


@dataclass(frozen=True)
class ServerTraits:
    """What the connected server does differently, each a choice a store makes (docs:
    architecture, "mongod and FerretDB"). All False on mongod, which takes the natural path."""

    # Two concurrent updates of one document may both report success while one is lost:
    # a conditional update is read back to learn whether it held.
    loses_concurrent_updates: bool = False
    # A $group with several $sum accumulators answers zeros: sums are added up client-side.
    wrong_group_sums: bool = False
    # An update command's statements are applied one by one at great cost: at most this many
    # per command (None: one command per chunk).
    updates_per_command: int | None = None
    # No TTL indexes: the sweeper deletes what expired.
    no_ttl_indexes: bool = False
    # A sparse index is made an ordinary one, which every insert of a document without its
    # field pays for too: the entities' unique slots' indexes are made when a field first
    # takes the slot (app.infra.mongo.entities.index_slot), not ahead.
    sparse_indexes_hold_every_document: bool = False
    # No index serves a sort (only a filter's equalities reach the storage, and the matches
    # are sorted after): an index kept for an order alone (a model's `Settings.order_indexes`)
    # would only slow writes.
    sorts_without_indexes: bool = False
    # Filters on fields inside `data` are never pushed down: their indexes only slow writes.
    no_nested_indexes: bool = False
    # An update that would repeat a unique value fails its whole command with PostgreSQL's
    # unique violation (SQLSTATE 23505), not a write error of code 11000: the entities store
    # splits the command down to that update and takes it for the row's duplicate key.
    duplicate_updates_fail_the_command: bool = False
    # Only a filter's equalities reach the storage; the rest is checked on every document
    # they match: a few of many large documents are asked for one equality at a time.
    filters_only_equalities: bool = False
    # A filter of a list of ids (`_id: {$in: …}`) reads every document of the collection, as
    # FerretDB v1.24.2 does as released; the scripts' build of it finds them by the `_id`
    # index (scripts/ferretdb-id-in-pushdown.patch), as mongod does (`learn_id_lists`).
    # Where it reads them all, a chunk's targets are updated one by one.
    reads_all_for_id_lists: bool = False


MONGOD = ServerTraits()
FERRETDB_V1 = ServerTraits(
    loses_concurrent_updates=True,
    wrong_group_sums=True,
    updates_per_command=8,
    no_ttl_indexes=True,
    sparse_indexes_hold_every_document=True,
    sorts_without_indexes=True,
    no_nested_indexes=True,
    duplicate_updates_fail_the_command=True,
    filters_only_equalities=True,
    reads_all_for_id_lists=True,
)
# The scripts' build of FerretDB v1.24.2 (scripts/lib.sh).
FERRETDB_V1_PATCHED = replace(FERRETDB_V1, reads_all_for_id_lists=False)

D = TypeVar("D", bound=Document)

_client: AsyncMongoClient[dict[str, object]] | None = None
_traits = MONGOD
_version: tuple[int, ...] = (0, 0)
_lock = asyncio.Lock()


def document_models() -> list[type[Document]]:
    return [*platform_documents(), *(spec.document for spec in entities)]


async def create_indexes() -> None:
    """Creates each document's indexes with one command per index.

    FerretDB v1 drops the connection when one createIndexes command names several indexes
    that already exist, so Beanie's own index creation (all in one command) is skipped. The
    entities' filter indexes are made on mongod only: FerretDB v1 pushes no filter on a
    field inside `data` down to its storage, so there they would only slow writes. FerretDB
    v1 has no TTL indexes either; what they expire, the sweeper deletes too. And it makes a
    sparse index an ordinary one, paid for by every insert: the unique custom fields' slot
    indexes are made there when a field first takes the slot. Nor does it sort by an index:
    the indexes that serve an order alone (`Settings.order_indexes`) are made on mongod only.
    """
    for model in document_models():
        for index in indexes_of(model):
            await model.get_pymongo_collection().create_indexes([index])
    if not traits().no_nested_indexes:
        for spec in entities:
            for index in [*spec.filter_indexes(), custom_fields_index()]:
                await spec.document.get_pymongo_collection().create_indexes([index])


def indexes_of(model: type[Document]) -> list[IndexModel]:
    """The indexes this server gets ahead for the model's documents (`create_indexes`): its
    `Settings.indexes`, those that serve an order alone (`order_indexes`) where a sort can
    use them, and the unique slots' (`slot_indexes`) where, sparse, they hold only the
    documents with a value."""
    settings = model.Settings
    made = list(getattr(settings, "indexes", []))
    if not traits().sorts_without_indexes:
        made += getattr(settings, "order_indexes", [])
    if not traits().sparse_indexes_hold_every_document:
        made += getattr(settings, "slot_indexes", [])
    if traits().no_ttl_indexes:  # the sweeper deletes what they would expire
        made = [index for index in made if "expireAfterSeconds" not in index.document]
    return made


def custom_fields_index() -> IndexModel:
    """One wildcard index serves filters on any account's custom fields, whatever their names
    (a per-field index would need one index per name ever defined, and mongod allows 64 per
    collection): compound with the account first on mongod 7.0 and later, over `data` alone
    before. It also holds the built-in fields, a write cost paid once per field written."""
    if _version >= (7, 0):
        return IndexModel([("account_id", ASCENDING), ("data.$**", ASCENDING)])
    return IndexModel([("data.$**", ASCENDING)])


async def connect() -> AsyncDatabase[dict[str, object]]:
    """Connects once and creates the indexes; later calls return the same database."""
    global _client
    settings = get_settings()
    async with _lock:
        if _client is None:
            client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
                settings.mongodb_url,
                tz_aware=True,
                uuidRepresentation="standard",
                maxPoolSize=settings.mongodb_max_connections,
                serverSelectionTimeoutMS=settings.mongodb_timeout_ms,
                connectTimeoutMS=settings.mongodb_timeout_ms,
            )
            database = client[settings.mongodb_db]
            await init_beanie(
                database=database, document_models=document_models(), skip_indexes=True
            )
            await learn_server(database)
            await create_indexes()
            await learn_id_lists(database)
            _client = client
    return _client[settings.mongodb_db]


async def learn_server(database: AsyncDatabase[dict[str, object]]) -> None:
    """Notes what the server does differently: FerretDB says it is in buildInfo."""
    global _traits, _version
    build_info = await database.command("buildInfo")
    _traits = FERRETDB_V1 if ferretdb_says(build_info) else MONGOD
    _version = tuple(int(part) for part in build_info.get("versionArray", [0, 0])[:2])


def ferretdb_says(build_info: Mapping[str, Any]) -> bool:
    """Whether a server's buildInfo is FerretDB's."""
    version = str(build_info.get("version", "")).lower()
    return "ferretdbVersion" in build_info or "ferretdb" in version


async def learn_id_lists(database: AsyncDatabase[dict[str, object]]) -> None:
    """Notes whether this FerretDB finds a list of ids by its `_id` index: its `explain`
    says whether it pushed such a filter down to its storage (once the collections exist).
    A server that will not say keeps the paths that need no index."""
    global _traits
    if not _traits.reads_all_for_id_lists:
        return
    probe = {"find": BulkAction.Settings.name, "filter": {"_id": {"$in": [ObjectId()]}}}
    try:
        said = await database.command("explain", probe)
    except OperationFailure:
        return
    if said.get("filterPushdown") is True:
        _traits = FERRETDB_V1_PATCHED


def traits() -> ServerTraits:
    return _traits


def is_ferretdb() -> bool:
    return _traits in (FERRETDB_V1, FERRETDB_V1_PATCHED)


async def close() -> None:
    global _client
    if _client is not None:
        await _client.close()
        _client = None


async def ping() -> None:
    db = await connect()
    await db.command("ping")


def current_database() -> AsyncDatabase[dict[str, object]]:
    """The connected database; `connect()` must have run in this process."""
    if _client is None:
        raise RuntimeError("MongoDB is not connected")
    return _client[get_settings().mongodb_db]


async def insert_new(
    collection: AsyncCollection[Any], docs: Sequence[Mapping[str, Any]]
) -> list[int]:
    """Inserts unordered; duplicate-key errors mean an earlier run stored the same document
    (or, for a claim, another writer did first). Returns the indexes of the documents
    refused so, in order; any other error propagates."""
    if not docs:
        return []
    try:
        await collection.insert_many(list(docs), ordered=False)
    except BulkWriteError as exc:
        if any(error.get("code") != DUPLICATE_KEY_CODE for error in exc.details["writeErrors"]):
            raise
        if exc.details.get("writeConcernErrors"):
            raise
        return sorted(error["index"] for error in exc.details["writeErrors"])
    return []


async def insert_new_documents(documents: Sequence[Document]) -> None:
    if documents:
        await insert_new(
            type(documents[0]).get_pymongo_collection(),
            [document.model_dump(by_alias=True) for document in documents],
        )


# Pages of any stored aggregate, for the stores and the use cases' keyset pages.


async def count(
    document: type[Document], query: Mapping[str, Any], max_time_ms: int | None = None
) -> int:
    """How many documents the query finds, stopped after `max_time_ms` when given."""
    limits: dict[str, Any] = {"maxTimeMS": max_time_ms} if max_time_ms else {}
    return int(await document.get_pymongo_collection().count_documents(dict(query), **limits))


async def find_sorted(
    document: type[D], query: Mapping[str, Any], sort: str, limit: int, max_time_ms: int | None
) -> list[D]:
    """Up to `limit` documents the query finds in `sort` order ("+_id", "-_id"…)."""
    limits: dict[str, Any] = {"max_time_ms": max_time_ms} if max_time_ms else {}
    return await document.find(dict(query), **limits).sort(sort).limit(limit).to_list()
