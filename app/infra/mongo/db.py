"""MongoDB connection: one AsyncMongoClient per process, Beanie initialised on it."""

import asyncio
from collections.abc import Mapping
from typing import Any

from beanie import Document, init_beanie
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from app.domain.entities import entities
from app.domain.models import platform_documents
from app.infra.settings import get_settings

_client: AsyncMongoClient[dict[str, object]] | None = None
_ferretdb = False
_lock = asyncio.Lock()


def document_models() -> list[type[Document]]:
    return [*platform_documents(), *(spec.document for spec in entities)]


async def create_indexes() -> None:
    """Creates each document's indexes with one command per index.

    FerretDB v1 drops the connection when one createIndexes command names several indexes
    that already exist, so Beanie's own index creation (all in one command) is skipped. The
    entities' filter indexes are made on mongod only: FerretDB v1 pushes no filter on a
    field inside `data` down to its storage, so there they would only slow writes. FerretDB
    v1 has no TTL indexes either; what they expire, the sweeper deletes too.
    """
    for model in document_models():
        collection = model.get_pymongo_collection()
        for index in getattr(model.Settings, "indexes", []):
            if is_ferretdb() and "expireAfterSeconds" in index.document:
                continue  # no TTL indexes in FerretDB v1: the sweeper deletes what expired
            await collection.create_indexes([index])
    if not is_ferretdb():
        for spec in entities:
            for index in spec.filter_indexes():
                await spec.document.get_pymongo_collection().create_indexes([index])


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
            _client = client
    return _client[settings.mongodb_db]


async def learn_server(database: AsyncDatabase[dict[str, object]]) -> None:
    """Notes whether the server is FerretDB, which a few writes must treat with care
    (app.infra.mongo.writes); it says so in buildInfo."""
    global _ferretdb
    _ferretdb = ferretdb_says(await database.command("buildInfo"))


def ferretdb_says(build_info: Mapping[str, Any]) -> bool:
    """Whether a server's buildInfo is FerretDB's."""
    version = str(build_info.get("version", "")).lower()
    return "ferretdbVersion" in build_info or "ferretdb" in version


def is_ferretdb() -> bool:
    return _ferretdb


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
