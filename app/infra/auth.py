"""Bearer tokens: HS256 JWTs whose `sub` claim is the account id."""

import time

import jwt

from app.domain.errors import Unauthenticated
from app.domain.principal import Principal
from app.domain.values import text_problem
from app.infra.settings import get_settings

MAX_ACCOUNT_ID = 200


def issue_token(account_id: str, role: str = "user", ttl_seconds: int = 30 * 24 * 3600) -> str:
    settings = get_settings()
    now = int(time.time())
    claims = {"sub": account_id, "role": role, "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, settings.jwt_secret, algorithm=settings.jwt_algorithm)


def principal_from_header(authorization: str | None) -> Principal:
    """Reads `Authorization: Bearer <jwt>`; anything else is UNAUTHENTICATED."""
    if not authorization:
        raise Unauthenticated("Missing Authorization header (expected 'Bearer <token>').")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Authorization header must be 'Bearer <token>'.")
    settings = get_settings()
    try:
        claims = jwt.decode(
            token.strip(),
            settings.jwt_secret,
            algorithms=[settings.jwt_algorithm],
            options={"require": ["sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("Invalid token: it has expired.") from None
    except jwt.InvalidSignatureError:
        raise Unauthenticated("Invalid token: its signature does not match.") from None
    except jwt.MissingRequiredClaimError:
        raise Unauthenticated("Invalid token: it has no 'sub' claim (the account id).") from None
    except jwt.PyJWTError:
        # PyJWT's own messages name Python internals (codecs, padding): say what it is.
        raise Unauthenticated("Invalid token: not a well-formed HS256 JWT.") from None
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip() or len(sub) > MAX_ACCOUNT_ID:
        raise Unauthenticated(
            f"Invalid token: 'sub' must be an account id of 1 to {MAX_ACCOUNT_ID} characters."
        )
    if (found := text_problem(sub)) is not None:
        raise Unauthenticated(f"Invalid token: 'sub' {found}.")
    role = claims.get("role")
    return Principal(account_id=sub, role=role if isinstance(role, str) else "user")
