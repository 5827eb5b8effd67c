"""Idempotency keys: a repeated create with the same key returns the first action.

A create claims its key (a document whose unique id names the account and the key) before it
stores anything, and holds the claim's lease in Redis for as long as its process lives (the
process renews the leases it keeps; one that dies lets them lapse within
`WORKER_DEAD_AFTER_SECONDS`). Another create with the key meanwhile gets CONFLICT with
`retryAfter`; once the lease has lapsed with no action stored, the holder is known dead, and
the next create takes the claim over at once, deleting the input the dead create had stored.
A slow create that finds its claim taken over (Redis lost the lease) discards its own work and
returns the action that holds the key.
"""

import math

from beanie import PydanticObjectId

from app.domain.errors import BadUserInput, Conflict
from app.domain.models import BulkAction, IdempotencyKey
from app.domain.principal import Principal
from app.domain.values import text_problem
from app.infra.mongo import actions, inputs
from app.infra.mongo.claims import idempotency as claims
from app.infra.redis import keys, lease

MAX_IDEMPOTENCY_KEY = 200
CLAIM_ATTEMPTS = 3


def check_key(key: str) -> None:
    if not key.strip() or len(key) > MAX_IDEMPOTENCY_KEY:
        raise BadUserInput(f"`idempotencyKey` must be 1 to {MAX_IDEMPOTENCY_KEY} characters.")
    if (found := text_problem(key)) is not None:
        raise BadUserInput(f"`idempotencyKey` {found}.")


def key_claim(principal: Principal, key: str) -> str:
    """The id of the claim on a client's key (the functions below take claim ids, which
    follow-ups name their own way: IdempotencyKey.follow_up_id)."""
    return IdempotencyKey.id_for(principal.account_id, key)


async def holder(
    principal: Principal, claim_id: str, fingerprint: str | None = None
) -> BulkAction | None:
    """The action that holds the claim, if one was stored; CONFLICT when it was made for a
    different request than `fingerprint` says."""
    found = await claims.claim_of(claim_id)
    return None if found is None else await claimed_action(principal, found, fingerprint)


async def claimed_action(
    principal: Principal, found: IdempotencyKey, fingerprint: str | None = None
) -> BulkAction | None:
    """The action a claim names, once its create has stored it. A create that asks
    something else with the key (`fingerprint`) is refused rather than answered with it:
    its client would believe its own input queued."""
    action = await actions.of_account(found.action_id, principal.account_id)
    if action is None or fingerprint is None or found.fingerprint in (None, fingerprint):
        return action
    raise Conflict(
        f"The idempotencyKey was used for a different request, which made action {action.id}: "
        "a new request needs a new key.",
        actionId=str(action.id),
    )


async def claim(
    principal: Principal,
    claim_id: str,
    action_id: PydanticObjectId,
    fingerprint: str | None = None,
) -> BulkAction | None:
    """Claims the key for a new action: None when claimed (its lease kept until `done`), else
    the action holding it (CONFLICT if that was made for another request: `holder`).

    CONFLICT (with `retryAfter`) while another create with the key is still at work.
    """
    name = keys.create_claim(claim_id)
    if not await lease.keep(name):
        # Another create holds the key and lives: its action, or come back later.
        found = await claims.claim_of(claim_id)
        if found is not None and (earlier := await claimed_action(principal, found, fingerprint)):
            return earlier
        retry_after = max(1, math.ceil(await lease.remaining_ms(name) / 1000))
        raise Conflict(
            "The idempotencyKey is being used by a create still in progress; "
            f"retry in {retry_after} s.",
            retryAfter=retry_after,
        )
    # The lease is this create's from here: no other create stores or removes the claim.
    try:
        for _ in range(CLAIM_ATTEMPTS):
            if await claims.claim(claim_id, action_id, fingerprint):
                return None
            found = await claims.claim_of(claim_id)
            if found is None:
                continue  # given back meanwhile: claim again
            if (earlier := await claimed_action(principal, found, fingerprint)) is not None:
                await done(claim_id)
                return earlier
            # A claim with no action, and its create holds no lease (this one does): it died.
            await take_over(claim_id, found.action_id)
    except BaseException:
        await done(claim_id)
        raise
    await done(claim_id)
    raise Conflict("The idempotencyKey is being used by another create; retry.", retryAfter=1)


async def done(claim_id: str) -> None:
    """The create that claimed the key has ended (its action stored, or given up): its lease
    goes, the claim (if it stands) says the rest."""
    await lease.give_back(keys.create_claim(claim_id))


async def take_over(claim_id: str, dead_action_id: PydanticObjectId) -> None:
    """Removes a dead create's claim and the input it stored (its action was never stored)."""
    await inputs.delete(dead_action_id)
    await claims.release(claim_id, dead_action_id)


async def still_held(claim_id: str, action_id: PydanticObjectId) -> bool:
    return await claims.holder_of(claim_id) == action_id


async def release(claim_id: str, action_id: PydanticObjectId) -> None:
    """Gives the claim back, if this action still holds it."""
    await claims.release(claim_id, action_id)
