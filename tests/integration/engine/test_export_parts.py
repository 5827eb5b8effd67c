"""An export chunk delivered again replaces its part of the file: never twice."""

import pytest
from bson import ObjectId

from app.engine import processing
from app.infra.files import export_parts as exports
from tests.integration.factories import (
    contact_documents,
    die_before_recording,
    processing_action,
    store_contacts,
)


async def test_a_redelivered_export_chunk_keeps_one_part(
    database: None, account: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = contact_documents(account, [{"score": n} for n in range(3)], key=lambda n: f"p{n}@x.io")
    await store_contacts(docs)
    rows = [{"row": n + 1, "id": str(doc["_id"])} for n, doc in enumerate(docs)]
    rows.append({"row": 4, "id": str(ObjectId())})  # vanished: FAILED/NOT_FOUND
    _, chunk = await processing_action(
        account, "CONTACT", "EXPORT", rows, export_columns=["id", "score"]
    )

    await die_before_recording(monkeypatch, chunk.id)
    await processing.process_chunk(chunk.id)

    assert await exports.files().count_documents({"filename": chunk.id}) == 1
    part = b"".join([piece async for piece in exports.read_part(chunk.id)]).decode()
    assert part == "".join(f"{doc['_id']},{n}\r\n" for n, doc in enumerate(docs))  # RFC 4180
