"""An action's progress is the same whichever way the server sums it: mongod's one $group
(`sums_pipeline`) and FerretDB's client-side sum (`sum_in_python`) agree on any chunks.

The $group runs on mongomock here (no mongod on this machine; FerretDB v1 answers it wrong,
which is why it takes the other path)."""

from typing import Any

import mongomock
from beanie import PydanticObjectId
from hypothesis import given, settings
from hypothesis import strategies as st

from app.infra.mongo.chunks import counters_from_group, sum_in_python, sums_pipeline

ACTIONS = [PydanticObjectId() for _ in range(3)]


@st.composite
def chunk_documents(draw: st.DrawFn) -> list[dict[str, Any]]:
    chunks = []
    for n in range(draw(st.integers(0, 30))):
        chunk: dict[str, Any] = {"_id": f"c{n}", "action_id": draw(st.sampled_from(ACTIONS))}
        chunk["done"] = draw(st.booleans())
        if draw(st.booleans()):
            chunk["size"] = draw(st.integers(1, 1000))
        if draw(st.booleans()):
            chunk["parent"] = f"c{draw(st.integers(0, 30))}"
        for field in ("succeeded", "failed", "skipped"):
            if draw(st.booleans()):
                chunk[field] = draw(st.integers(0, 1000))
        chunks.append(chunk)
    return chunks


@settings(max_examples=200, deadline=None)
@given(chunk_documents(), st.lists(st.sampled_from(ACTIONS), min_size=1, unique=True))
def test_the_group_and_the_client_side_sum_agree(
    chunks: list[dict[str, Any]], asked: list[PydanticObjectId]
) -> None:
    collection: Any = mongomock.MongoClient().db.chunks
    if chunks:
        collection.insert_many([dict(chunk) for chunk in chunks])
    grouped = counters_from_group(list(collection.aggregate(sums_pipeline(asked))))
    summed = sum_in_python([c for c in chunks if c["action_id"] in asked])
    assert grouped == summed
