"""Change signals on Redis pub/sub: "this action changed", published by whoever changed it.

A signal carries no figures: pub/sub is fire-and-forget, so a listener that missed one must
still get things right, and reading the current state on each signal does that. Workers
publish when a chunk is done and when an action's status changes; the API when an owner's
request changes the shown status. One channel for all: each API process has one listener
(app.usecases.reading.live) that picks the actions its subscribers watch.
"""

import json

from app.infra.redis import keys
from app.infra.redis.client import get_redis


async def publish_change(action_id: object, account_id: str) -> None:
    message = json.dumps({"action": str(action_id), "account": account_id})
    await get_redis().publish(keys.events_channel(), message)
