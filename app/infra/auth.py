"""Bearer credentials: who a request comes from.

Three kinds, told apart by their form: an API key (`bak_…`, app.infra.mongo.accounts.
api_keys), an identity provider's JWT (RS256, ES256…: checked with the provider's keys,
app.infra.jwks, its issuer and audience), and a development JWT (HS256, checked with
`JWT_SECRET`, as `bulk-actions-token` and scripts/dev make them). Each refusal is
UNAUTHENTICATED with a one-line reason.

A client sends the same token with every request: a JWT verified is taken again without its
signature checked, until it expires and for `VERIFIED_SECONDS` at most (a key the provider
withdraws admits the tokens it signed for that long after), by the same settings only.
"""

import time
from typing import Any, NamedTuple

import jwt
from cachetools import TLRUCache

from app.domain.errors import Unauthenticated
from app.domain.principal import Principal, scopes_of
from app.domain.values import text_problem
from app.infra.jwks import provider_keys
from app.infra.mongo.accounts import api_keys
from app.infra.settings import Settings, get_settings

MAX_ACCOUNT_ID = 200
MAX_USER_ID = 200
# How long a verified JWT is taken again without checking its signature, at most; and how
# many are kept (the least recently used go first).
VERIFIED_SECONDS = 60
VERIFIED_TOKENS = 10_000

# PyJWT's errors, as a user reads them.
REFUSALS: list[tuple[type[jwt.PyJWTError], str]] = [
    (jwt.ExpiredSignatureError, "it has expired"),
    (jwt.ImmatureSignatureError, "it is not valid yet"),
    (jwt.InvalidAudienceError, "it is not meant for this API (audience)"),
    (jwt.InvalidIssuerError, "it comes from another issuer"),
    (jwt.InvalidSignatureError, "its signature does not match"),
    (jwt.InvalidAlgorithmError, "its algorithm is not accepted"),
]


def issue_token(
    account_id: str,
    role: str = "user",
    ttl_seconds: int = 30 * 24 * 3600,
    scopes: list[str] | None = None,
) -> str:
    """A development token (HS256 with JWT_SECRET); without `scopes`, read and write (admin
    too with role "admin")."""
    settings = get_settings()
    now = int(time.time())
    claims: dict[str, Any] = {"sub": account_id, "role": role, "iat": now, "exp": now + ttl_seconds}
    if scopes is not None:
        claims["scope"] = " ".join(scopes)
    return jwt.encode(claims, settings.jwt_secret, algorithm=settings.jwt_algorithm)


def bearer(authorization: str | None) -> str:
    if not authorization:
        raise Unauthenticated("Missing Authorization header (expected 'Bearer <token>').")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Authorization header must be 'Bearer <token>'.")
    return token.strip()


async def principal_from_header(authorization: str | None) -> Principal:
    """The caller of `Authorization: Bearer <token or API key>`; UNAUTHENTICATED otherwise."""
    token = bearer(authorization)
    if token.startswith(api_keys.PREFIX):
        return await api_keys.principal_of(token)
    return principal_of(await verified_claims(token, get_settings()), get_settings())


class Verified(NamedTuple):
    """A JWT's claims, as the settings that verified it read them."""

    claims: dict[str, Any]
    settings: Settings


def good_until(token: str, verified: Verified, now: float) -> float:
    """A verified token is taken again until it expires, and for VERIFIED_SECONDS at most."""
    expires = verified.claims.get("exp")
    until = now + VERIFIED_SECONDS
    return min(until, float(expires)) if isinstance(expires, int | float) else until


_verified: TLRUCache[str, Verified] = TLRUCache(VERIFIED_TOKENS, good_until, timer=time.time)


async def verified_claims(token: str, settings: Settings) -> dict[str, Any]:
    """The token's claims once its signature, expiry and (a provider's) audience and issuer
    hold; the same token again within its time in the cache, by the same settings."""
    known = _verified.get(token)
    if known is not None and known.settings is settings:
        return known.claims
    claims = await checked_claims(token, settings)
    _verified[token] = Verified(claims, settings)
    return claims


async def checked_claims(token: str, settings: Settings) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        # PyJWT's own messages name Python internals (codecs, padding): say what it is.
        raise Unauthenticated("Invalid token: not a well-formed JWT or API key.") from None
    algorithm = header.get("alg")
    if not isinstance(algorithm, str) or algorithm not in settings.auth_algorithms:
        raise Unauthenticated(
            f"Invalid token: its algorithm {str(algorithm)[:20]!r} is not accepted "
            f"({', '.join(settings.auth_algorithms)})."
        )
    key: Any
    checks: dict[str, Any] = {}
    if algorithm.startswith("HS"):
        key = settings.jwt_secret  # development tokens
    else:
        if settings.auth_jwks_url is None:
            raise Unauthenticated("Invalid token: no identity provider is configured.")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthenticated("Invalid token: its header names no key ('kid').")
        key = await provider_keys(settings.auth_jwks_url).key(kid)
        checks = {"audience": settings.auth_audience, "issuer": settings.auth_issuer}
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            options={
                "require": ["exp"] if checks else [],
                "verify_aud": settings.auth_audience is not None and bool(checks),
            },
            **{name: value for name, value in checks.items() if value is not None},
        )
    except jwt.MissingRequiredClaimError as missing:
        raise Unauthenticated(f"Invalid token: it has no {missing.claim!r} claim.") from None
    except jwt.PyJWTError as error:
        reason = next((said for kind, said in REFUSALS if isinstance(error, kind)), None)
        raise Unauthenticated(f"Invalid token: {reason or 'it cannot be read'}.") from None
    return claims


def principal_of(claims: dict[str, Any], settings: Settings) -> Principal:
    """The caller the verified claims name."""
    account = claims.get(settings.auth_account_claim)
    named = f"'{settings.auth_account_claim}'"
    if account is None:
        raise Unauthenticated(f"Invalid token: it has no {named} claim (the account id).")
    if not isinstance(account, str) or not account.strip() or len(account) > MAX_ACCOUNT_ID:
        raise Unauthenticated(
            f"Invalid token: {named} must be an account id of 1 to {MAX_ACCOUNT_ID} characters."
        )
    if (found := text_problem(account)) is not None:
        raise Unauthenticated(f"Invalid token: {named} {found}.")
    user = claims.get(settings.auth_user_claim)
    role = claims.get("role")
    scopes = claims.get(settings.auth_scopes_claim)
    return Principal(
        account_id=account,
        role=role if isinstance(role, str) else "user",
        user_id=user[:MAX_USER_ID] if isinstance(user, str) and user else None,
        scopes=None if scopes is None else scopes_of(scopes),
    )
