"""Beanie types `id` as optional until a document is saved; stored documents always have one."""

from beanie import Document, PydanticObjectId


def saved_id(document: Document) -> PydanticObjectId:
    if document.id is None:
        raise ValueError(f"{type(document).__name__} has not been saved")
    return document.id
