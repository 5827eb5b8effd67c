"""A byte range of an upload read through the pieces (GridFS chunks) the process kept: the
chunks of an action follow each other through a piece, which is read once, not once a chunk."""

from collections.abc import AsyncIterator

from bson import ObjectId

from app.infra.files import uploads
from app.infra.mongo import db
from tests.integration.commands import COUNTER


async def stored(account: str, data: bytes) -> str:
    async def body() -> AsyncIterator[bytes]:
        yield data

    return (await uploads.store(account, "bytes.bin", body())).id


def piece_reads(commands: list[tuple[str, object]]) -> int:
    return sum(1 for command in commands if command == ("find", "uploads.chunks"))


async def test_ranges_in_a_piece_read_already_send_no_query(database: None, account: str) -> None:
    data = bytes(range(256)) * 2500  # 640,000 bytes: three pieces
    upload_id = await stored(account, data)
    piece = uploads.CHUNK_BYTES
    with COUNTER.counting() as commands:
        assert await uploads.read_range(upload_id, 0, 10) == data[0:10]
        assert piece_reads(commands) == 1
        assert await uploads.read_range(upload_id, 100, piece - 1) == data[100 : piece - 1]
        assert piece_reads(commands) == 1  # the same piece: kept
        assert (
            await uploads.read_range(upload_id, piece - 5, piece + 5) == data[piece - 5 : piece + 5]
        )
        assert piece_reads(commands) == 2  # only the second piece is read
        assert await uploads.read_range(upload_id, 0, len(data)) == data
        assert piece_reads(commands) == 3  # and only the third


async def test_a_file_deleted_here_is_not_read_from_what_was_kept(
    database: None, account: str
) -> None:
    upload_id = await stored(account, b"email\na@example.com\n")
    assert await uploads.read_range(upload_id, 0, 5) == b"email"
    await uploads.delete(upload_id)
    assert await uploads.read_range(upload_id, 0, 5) is None


async def test_a_file_deleted_elsewhere_is_gone_once_a_piece_is_not_found(
    database: None, account: str
) -> None:
    """Another process deleted it (retention): a range this process kept a piece of, and
    needs another of, reads as gone, as a range of pieces none of which it kept does."""
    data = bytes(range(256)) * 1200  # 307,200 bytes: two pieces
    upload_id = await stored(account, data)
    piece = uploads.CHUNK_BYTES
    assert await uploads.read_range(upload_id, 0, 10) == data[0:10]
    await db.current_database()["uploads.chunks"].delete_many({"files_id": ObjectId(upload_id)})
    assert await uploads.read_range(upload_id, piece - 5, piece + 5) is None
    assert await uploads.read_range(upload_id, 0, 10) is None  # and what it kept is forgotten
