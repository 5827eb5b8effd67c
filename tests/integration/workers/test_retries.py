"""A chunk that keeps failing is retried, then its rows are logged FAILED and the action ends."""

import asyncio
import time

from app.domain.models import BulkAction, BulkActionStatus
from app.infra.redis import tasks
from tests.integration.factories import logs_of, processing_action


async def test_failing_chunk_is_retried_then_logged_failed(
    workers: object, database: None, account: str
) -> None:
    # Ids no database accepts make every attempt of this chunk raise.
    rows = [{"row": 1, "id": "broken"}, {"row": 2, "id": "broken-too"}]
    action, chunk = await processing_action(
        account, "CONTACT", "UPDATE", rows, fields={"first_name": "x"}
    )
    await asyncio.to_thread(tasks.send, tasks.PROCESS_CHUNK, str(chunk.id))
    deadline = time.monotonic() + 300  # retries back off; a loaded machine is slow
    while True:
        current = await BulkAction.get(action.id)
        assert current is not None
        if current.status is not BulkActionStatus.PROCESSING or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    assert current.status is BulkActionStatus.COMPLETED_WITH_ERRORS
    assert (current.succeeded, current.failed, current.skipped) == (0, 2, 0)
    logs = await logs_of(action)
    assert [(log.row, str(log.reason)) for log in logs] == [
        (1, "PROCESSING_ERROR"),
        (2, "PROCESSING_ERROR"),
    ]
    assert logs[0].message is not None and "retries" in logs[0].message
