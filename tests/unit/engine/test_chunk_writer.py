"""How planning batches the chunks it writes: few writes, and every chain running soon."""

from types import SimpleNamespace
from typing import Any

import pytest

from app.engine import planning
from app.infra.settings import get_settings


@pytest.mark.parametrize(
    ("chunks", "in_flight", "batches"),
    [
        (20, 8, [1, 7, 8, 4]),
        (1, 8, [1]),
        (9, 8, [1, 7, 1]),
        (5, 2, [1, 1, 3]),
        (4, 1, [1, 1, 2]),
    ],
)
async def test_the_first_chunk_alone_then_the_other_chains_first_then_full_batches(
    chunks: int, in_flight: int, batches: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first chunk is written alone (processing starts with it), then the first chunk of
    every other chain in one batch, then batches of MAX_WRITE_BATCH (8): a 20-chunk action
    is four inserts (it was five: 1, 2, 4, 8, 5), and all its chains run after two."""
    monkeypatch.setattr(get_settings(), "chunks_in_flight", in_flight)
    written: list[int] = []

    async def write_batch(made: list[Any], rows: dict[str, Any]) -> None:
        written.append(len(made))

    monkeypatch.setattr(planning, "write_batch", write_batch)
    writer = planning.ChunkWriter()
    for seq in range(chunks):
        await writer.add(SimpleNamespace(id=str(seq), upload_from=0), [])  # type: ignore[arg-type]
    await writer.flush()
    assert written == batches
