"""Processing one chunk, exactly once in effect under at-least-once delivery.

The chunk actor's whole work, read top to bottom in `process_chunk`. Steps, each safe to
repeat: (0) admission under the account's limit (app.engine.pacing): a chunk that must wait
raises ComeBackLater and its message comes back when it fits; (1) decide, and store the
decisions once where the action type keeps them; (2) apply the chunk's idempotent writes
(the action type's `apply`); (3) record the outcomes (app.engine.completion): logs, the
chunk done, its chain moved on, the action ended after its last chunk. A delivery that dies
anywhere is redone by the next, and one that finds the chunk done does nothing.
"""

import time
from collections.abc import Awaitable, Callable
from functools import partial

from pymongo.errors import DuplicateKeyError

from app.domain.actions import ChunkContext, Outcome, actions, rules_of
from app.domain.clock import stored_now
from app.domain.entities import entities
from app.domain.models import BulkAction, Chunk, ControlRequest, LogReason
from app.domain.outcomes import failed_outcome, planned_outcome, skipped
from app.domain.rows import Decisions, Row
from app.engine.completion import after_done, finish_if_complete, record
from app.engine.deferral import ComeBackLater
from app.engine.pacing import Admission, Verdict, admit, begin_write, end_write
from app.engine.splitting import send_parts
from app.infra import log_lines, metrics
from app.infra.files import chunk_rows
from app.infra.files import export_parts as exports
from app.infra.mongo import actions as stored_actions
from app.infra.mongo import chunks, controls, logs
from app.infra.mongo import entities as stored_entities
from app.infra.mongo.accounts import custom_fields
from app.infra.mongo.claims import deletions
from app.infra.redis import liveness


async def decide_once(
    rows_id: str, decide: Callable[[], Awaitable[Decisions]], keep: bool = True
) -> Decisions:
    """The decisions stored for these rows, or new ones stored now; the first stored wins.
    Not stored unless `keep` (ActionSpec.keeps_decisions): each delivery decides anew.

    Tried as an insert first: the first delivery of a chunk, by far the most common, reads
    nothing; a later one finds the first one's decisions when its insert is refused.
    """
    found = await decide()
    found["stamp"] = stored_now()
    if not keep:
        return found
    try:
        await chunks.store_decisions(rows_id, found)
    except DuplicateKeyError:
        # An earlier or concurrent delivery stored first: use what it saw.
        if (earlier := await chunks.decisions_of(rows_id)) is not None:
            return earlier
    return found


async def load(
    chunk_id: str, admitted: Chunk | None = None
) -> tuple[Chunk, list[Row], BulkAction] | None:
    """The chunk still to process (`admitted`: as admission just read it), its rows and its
    action; None when nothing is left to do."""
    chunk = admitted if admitted is not None else await chunks.get(chunk_id)
    if chunk is None:
        return None
    if chunk.done:
        # An earlier delivery may have died after marking the chunk done, before it queued
        # the chunk's successor or finished the action: both are safe to do again.
        await after_done(chunk)
        await finish_if_complete(chunk.action_id)
        return None
    action = await stored_actions.as_planned(chunk.action_id)
    if action is None:
        return None
    rows = await chunk_rows.rows_of(chunk, action)
    if rows is None:
        return None
    return chunk, rows, action


async def process_chunk(chunk_id: str) -> None:
    """Processes the chunk under its account's limit; raises ComeBackLater when it must
    wait for the limit (at admission, or when it comes to write: WriteMustWait)."""
    admitted = await admit(chunk_id)
    if admitted.verdict is Verdict.WAIT:
        raise ComeBackLater(admitted.wait_ms, "the chunk waits for its account's limit")
    if admitted.verdict is Verdict.DROP:
        return  # paused (resuming queues it again), or split into parts that were queued
    loaded = await load(chunk_id, admitted.chunk)
    if loaded is None:
        return
    started = time.perf_counter()
    with log_lines.about(account_id=loaded[0].account_id):
        await process_loaded(*loaded, admitted)
    metrics.CHUNK_SECONDS.observe(time.perf_counter() - started)  # not when it must wait


async def process_loaded(
    chunk: Chunk, stored_rows: list[Row], action: BulkAction, admitted: Admission
) -> None:
    """Processing of a chunk that is still to do, its rows and action loaded."""
    if chunk.parts is not None:
        await send_parts(chunk)  # split: the parts carry the rows
        return
    request = admitted.request or await controls.request_of(chunk.action_id)
    if request is ControlRequest.PAUSE:
        return  # resuming queues the chunk again
    await liveness.touch(str(chunk.action_id))
    if request is ControlRequest.CANCEL:
        await record(
            chunk,
            [planned_outcome(row) or skipped(row, LogReason.CANCELLED) for row in stored_rows],
            stored_rows,
        )
        return
    spec = actions.get(action.action_type)
    entity = await custom_fields.entity_of(action)
    ctx = ChunkContext(
        account_id=action.account_id,
        entity=entity,
        fields=action.fields,
        read=partial(stored_entities.read, entity),
        write=partial(stored_entities.write, entity),
        operations=action.operations,
        chunk_id=chunk.id,
        columns=action.export_columns,
        store_part=partial(exports.store_part, str(chunk.action_id)),
        store_decisions=partial(chunks.replace_decisions, chunk.id)
        if spec.keeps_decisions
        else None,
        claim=partial(deletions.claim, chunk.action_id, chunk.id)
        if spec.claims_deletions
        else None,
        let_go=deletions.let_go,
        dry_run=action.dry_run,
        rules=rules_of(action),
    )
    planned: list[Outcome] = []
    live: list[Row] = []
    for row in stored_rows:
        if (outcome := planned_outcome(row)) is not None:
            planned.append(outcome)
        else:
            live.append(row)
    decisions = await decide_once(chunk.id, lambda: spec.decide(ctx, live), spec.keeps_decisions)
    started_at = written_at = None
    if action.dry_run:
        # It writes nothing: not charged to the limit, and nothing to restore.
        applied = await spec.apply(ctx, live, decisions)
    else:
        # The rows count against the limit while the entities are written, not while the
        # bookkeeping after (logs, counts, the next chunk) is done.
        started_at = await begin_write(chunk)
        try:
            # Counted as writing first, then the owner's request read again (from Redis's
            # mirror): a pause seen with no rows finishing (stats.finishingRows) holds every
            # chunk that was admitted but had not begun writing.
            if await controls.request_of(chunk.action_id) is ControlRequest.PAUSE:
                return  # nothing written: resuming queues it again
            applied = await spec.apply(ctx, live, decisions)
        finally:
            written_at = await end_write(chunk)
    outcomes = sorted(planned + applied, key=lambda outcome: outcome.row)
    await record(chunk, outcomes, stored_rows, started_at, written_at)


async def logged_outcomes(chunk: Chunk, rows: list[Row]) -> dict[int, Outcome]:
    """Outcomes an earlier delivery of this chunk already logged, by row."""
    logged = await logs.read_rows_of(chunk.action_id, [row["row"] for row in rows])
    return {
        log.row: Outcome(log.row, log.status, log.reason, log.entity_id, log.message)
        for log in logged
    }


async def fail_chunk(chunk_id: str, error: str) -> None:
    """Retries are spent: every row without an outcome yet is logged with what the database
    shows of it: SUCCESS where an attempt wrote it, FAILED where none did."""
    loaded = await load(chunk_id)
    if loaded is None:
        return
    chunk, rows, action = loaded
    logged = await logged_outcomes(chunk, rows)
    unlogged = [row for row in rows if row["row"] not in logged]
    written = await written_outcomes(chunk, action, unlogged)
    outcomes = [
        logged.get(row["row"]) or written.get(row["row"]) or failed_outcome(row, error)
        for row in rows
    ]
    await record(chunk, outcomes, rows)


async def written_outcomes(chunk: Chunk, action: BulkAction, rows: list[Row]) -> dict[int, Outcome]:
    """The rows an attempt of the chunk wrote, by row, as the database shows them (the
    action type tells from its targets' stamps: ActionSpec.written). One query; a DELETE's
    chunk reads its claims too, and lets go of those on targets still there: it ends here
    without deleting them, and a claim kept would refuse them to every later DELETE."""
    spec = actions.get(action.action_type)
    decisions = await chunks.decisions_of(chunk.id) if spec.keeps_decisions else Decisions()
    if decisions is None or action.dry_run or not rows:
        return {}  # nothing was decided, so nothing was written
    targets = [entity_id for entity_id, _ in spec.targets_of(rows, decisions).values()]
    stamps = await stored_entities.stamps_of(
        entities.get(action.entity_type), action.account_id, targets
    )
    if spec.claims_deletions:
        claimed = await deletions.claimed_by(chunk.id, targets)
        await deletions.let_go(sorted(claimed & set(stamps)))
        return spec.written(rows, decisions, stamps, claimed)
    return spec.written(rows, decisions, stamps)
