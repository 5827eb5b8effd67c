"""The asyncio Redis client of this process (rate limits, liveness, dedupe, pub/sub), and the
Lua scripts it runs.

A blocking pool: a burst of requests (say, hundreds of subscribers connecting at once) waits
a moment for a free connection instead of failing, and the process never opens more than
`redis_max_connections`.

Scripts live in `.lua` files beside the module that runs them (as Dramatiq keeps its own) and
are registered once per client (`script`): each call is an EVALSHA, loaded again by redis-py
if the server lost it (a restart).
"""

from functools import cache
from importlib.resources import files
from weakref import WeakKeyDictionary

from redis.asyncio import BlockingConnectionPool, Redis
from redis.commands.core import AsyncScript

from app.infra.settings import get_settings

_client: Redis | None = None
_scripts: WeakKeyDictionary[Redis, dict[str, AsyncScript]] = WeakKeyDictionary()


def get_redis() -> Redis:
    global _client
    if _client is None:
        settings = get_settings()
        pool = BlockingConnectionPool.from_url(
            settings.redis_url,
            decode_responses=True,
            max_connections=settings.redis_max_connections,
            timeout=settings.redis_pool_timeout_seconds,
            # Redis down: fail in moments (SERVICE_UNAVAILABLE), not after the OS's timeout.
            socket_connect_timeout=settings.redis_connect_timeout_seconds,
        )
        _client = Redis(connection_pool=pool)
    return _client


async def close() -> None:
    global _client
    if _client is not None:
        await _client.aclose()
        await _client.connection_pool.disconnect()  # a pool passed in is not closed with it
        _client = None


@cache
def lua(name: str) -> str:
    """The source of `<name>.lua` in this package; a `-- needs: <other>.lua` line in it puts
    that file's source before it (the rate limit's scripts share their opening)."""
    source = files(__package__).joinpath(f"{name}.lua").read_text()
    needed = [
        line.removeprefix("-- needs: ").removesuffix(".lua").strip()
        for line in source.splitlines()
        if line.startswith("-- needs: ")
    ]
    return "".join(lua(other) for other in needed) + source


def script(name: str, redis: Redis | None = None) -> AsyncScript:
    """The script `<name>.lua`, registered once on this client (the process's by default)."""
    client = redis or get_redis()
    registered = _scripts.setdefault(client, {})
    if name not in registered:
        registered[name] = client.register_script(lua(name))
    return registered[name]
