"""An identity provider's signing keys (its JWKS), fetched with PyJWT's client and cached.

A token naming a key id not in the cache refetches the set, at most once a minute, so a key
rotation is picked up at once and a flood of made-up key ids costs one fetch a minute (the
rule is kept here: PyJWT's own cooldown also counts the first fetch, which would refuse a
rotation in the first minute). The set is refetched when it is an hour old; if the provider
cannot be reached then, the keys fetched last keep serving the tokens they sign: the API
stays up through the provider's outage for everyone already signed in.
"""

import asyncio
import time
from functools import lru_cache

from jwt import PyJWK, PyJWKClient, PyJWKClientConnectionError, PyJWKClientError

from app.domain.errors import Unauthenticated

KEYS_LIFESPAN_SECONDS = 3600
REFETCH_COOLDOWN_SECONDS = 60
FETCH_TIMEOUT_SECONDS = 5


class ProviderKeys:
    def __init__(self, url: str) -> None:
        self.client = PyJWKClient(
            url,
            cache_jwk_set=True,
            lifespan=KEYS_LIFESPAN_SECONDS,
            cooldown_duration=0,
            timeout=FETCH_TIMEOUT_SECONDS,
        )
        self.last_known: dict[str, PyJWK] = {}
        # When a fetch last failed: no request waits on the provider again for a minute.
        self.failed_at: float | None = None
        # When an unknown key id last made the set be fetched again.
        self.refetched_at: float | None = None

    def key_for(self, kid: str) -> PyJWK:
        """The provider's key `kid`, or UNAUTHENTICATED saying why there is none."""
        known = self.last_known.get(kid)
        resting = (
            self.failed_at is not None
            and time.monotonic() - self.failed_at < REFETCH_COOLDOWN_SECONDS
        )
        if resting:
            return self.known_or_refused(known)
        try:
            key = self.client.match_kid(self.client.get_signing_keys(), kid)
            now = time.monotonic()
            if key is None and (
                self.refetched_at is None or now - self.refetched_at >= REFETCH_COOLDOWN_SECONDS
            ):
                self.refetched_at = now
                key = self.client.match_kid(self.client.get_signing_keys(refresh=True), kid)
        except PyJWKClientConnectionError:
            self.failed_at = time.monotonic()
            return self.known_or_refused(known)
        except PyJWKClientError:
            key = None
        if key is None:
            raise Unauthenticated(f"Invalid token: the identity provider has no key {kid[:64]!r}.")
        self.failed_at = None
        self.last_known[kid] = key
        return key

    @staticmethod
    def known_or_refused(known: PyJWK | None) -> PyJWK:
        if known is not None:
            return known  # the provider is down: the key fetched last still serves
        raise Unauthenticated("Invalid token: the identity provider's keys cannot be fetched now.")

    async def key(self, kid: str) -> PyJWK:
        # PyJWT fetches with urllib: off the event loop.
        return await asyncio.to_thread(self.key_for, kid)


@lru_cache
def provider_keys(url: str) -> ProviderKeys:
    return ProviderKeys(url)
