"""Which exceptions mean "a service is down", so every entry point answers them alike: a
coded SERVICE_UNAVAILABLE with Retry-After, never a bare 500 or a hang."""

from pymongo.errors import ConnectionFailure, ServerSelectionTimeoutError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from app.domain.errors import ServiceUnavailable

DATABASE_DOWN = (ConnectionFailure, ServerSelectionTimeoutError)
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)


def as_outage(error: BaseException) -> ServiceUnavailable | None:
    """The outage this error stands for, or None when it is not one."""
    if isinstance(error, ServiceUnavailable):
        return error
    if isinstance(error, DATABASE_DOWN):
        return ServiceUnavailable("The database")
    if isinstance(error, REDIS_DOWN):
        return ServiceUnavailable("Redis (queue and live state)")
    return None
