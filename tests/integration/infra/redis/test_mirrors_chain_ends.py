"""The tally of an action's ended chains, against the real Redis: only the note that
completes the last chunk of every chain says to look; without the chunk count, every note does."""

import random

from bson import ObjectId

from app.infra.redis import mirrors
from app.infra.redis.mirrors import Tally


def new_id() -> str:
    return str(ObjectId())


async def test_only_the_last_chain_to_end_says_the_action_may_be_complete() -> None:
    action_id = new_id()
    await mirrors.planned(action_id, 20)  # chains of 8: their last chunks are 12 to 19
    for seq in [3, *range(12, 19)]:  # an early chain end (planning was behind), then seven
        assert await mirrors.chain_ended(action_id, seq, 8) == Tally(20, all_ended=False)
    assert await mirrors.chain_ended(action_id, 19, 8) == Tally(20, all_ended=True)
    # A delivery that notes again (its earlier one died after noting) says so too.
    assert (await mirrors.chain_ended(action_id, 15, 8)).maybe_complete


async def test_without_the_chunk_count_every_chain_end_looks() -> None:
    action_id = new_id()
    tally = await mirrors.chain_ended(action_id, 0, 8)
    assert tally == Tally(None, all_ended=False) and tally.maybe_complete


async def test_an_action_of_fewer_chunks_than_chains_ends_with_its_last_one() -> None:
    action_id = new_id()
    await mirrors.planned(action_id, 2)
    assert not (await mirrors.chain_ended(action_id, 1, 8)).maybe_complete
    assert (await mirrors.chain_ended(action_id, 0, 8)).maybe_complete
    await mirrors.forget_chains(action_id)
    assert (await mirrors.chain_ended(action_id, 1, 8)).chunks_total is None


async def test_whatever_the_order_exactly_the_note_completing_the_chain_ends_looks() -> None:
    rng = random.Random(27)
    for total, chains in [(1, 8), (7, 8), (8, 8), (9, 8), (40, 8), (13, 1), (25, 10)]:
        action_id = new_id()
        await mirrors.planned(action_id, total)
        ends = list(range(max(0, total - chains), total))
        rng.shuffle(ends)
        said = [(await mirrors.chain_ended(action_id, seq, chains)).all_ended for seq in ends]
        assert said == [False] * (len(ends) - 1) + [True], (total, chains, ends)
