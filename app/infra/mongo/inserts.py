"""Inserts that a repeated run may do twice: documents already stored are left as they are."""

from collections.abc import Mapping, Sequence
from typing import Any

from beanie import Document
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from app.domain.actions._base import DUPLICATE_KEY_CODE


async def insert_new(collection: AsyncCollection[Any], docs: Sequence[Mapping[str, Any]]) -> None:
    """Inserts unordered; duplicate-key errors mean an earlier run stored the same document."""
    if not docs:
        return
    try:
        await collection.insert_many(list(docs), ordered=False)
    except BulkWriteError as exc:
        if any(error.get("code") != DUPLICATE_KEY_CODE for error in exc.details["writeErrors"]):
            raise
        if exc.details.get("writeConcernErrors"):
            raise


async def insert_new_documents(documents: Sequence[Document]) -> None:
    if documents:
        await insert_new(
            type(documents[0]).get_pymongo_collection(),
            [document.model_dump(by_alias=True) for document in documents],
        )
