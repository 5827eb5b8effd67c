"""The asyncio Redis client of this process (rate limits, liveness, dedupe, pub/sub).

A blocking pool: a burst of requests (say, hundreds of subscribers connecting at once) waits
a moment for a free connection instead of failing, and the process never opens more than
`redis_max_connections`.
"""

from redis.asyncio import BlockingConnectionPool, Redis

from app.infra.settings import get_settings

_client: Redis | None = None


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
