"""Verified tokens kept for the requests after: a token is taken again without its signature
checked only while it has not expired, for VERIFIED_SECONDS at most, and by the settings that
verified it; a token refused is checked again each time."""

import time
from typing import Any

import jwt
import pytest

from app.domain.errors import Unauthenticated
from app.infra import auth
from app.infra.settings import Settings

SECRET = "unit-test-secret-0123456789abcdef0123456789"


def token(secret: str = SECRET, **claims: Any) -> str:
    now = int(time.time())
    return jwt.encode({"sub": "acct", "iat": now, "exp": now + 600, **claims}, secret, "HS256")


def settings(secret: str = SECRET) -> Settings:
    return Settings(jwt_secret=secret)


def count_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    checked: list[str] = []
    check = auth.checked_claims

    async def counted(given: str, by: Settings) -> dict[str, Any]:
        checked.append(given)
        return await check(given, by)

    monkeypatch.setattr(auth, "checked_claims", counted)
    return checked


async def test_a_verified_token_is_taken_again_without_its_signature_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked, same, given = count_checks(monkeypatch), settings(), token()
    first = await auth.verified_claims(given, same)
    assert await auth.verified_claims(given, same) == first and first["sub"] == "acct"
    assert checked == [given]


async def test_other_settings_check_the_token_again(monkeypatch: pytest.MonkeyPatch) -> None:
    checked, given = count_checks(monkeypatch), token()
    await auth.verified_claims(given, settings())
    with pytest.raises(Unauthenticated, match="signature"):
        await auth.verified_claims(given, settings("another-secret-0123456789abcdef01234567"))
    assert checked == [given, given]


async def test_a_refused_token_is_refused_each_time(monkeypatch: pytest.MonkeyPatch) -> None:
    checked, same = count_checks(monkeypatch), settings()
    forged = token(secret="a-forger-secret-0123456789abcdef0123456789")
    for _ in range(2):
        with pytest.raises(Unauthenticated, match="signature"):
            await auth.verified_claims(forged, same)
    assert checked == [forged, forged]


async def test_a_kept_token_is_refused_once_it_expires() -> None:
    same, given = settings(), token(exp=int(time.time()) + 2)
    assert (await auth.verified_claims(given, same))["sub"] == "acct"
    time.sleep(max(0.0, jwt.decode(given, SECRET, ["HS256"])["exp"] - time.time() + 0.1))
    with pytest.raises(Unauthenticated, match="expired"):
        await auth.verified_claims(given, same)


def test_a_token_is_kept_until_it_expires_and_for_a_minute_at_most() -> None:
    now = 1_000_000.0
    verified = auth.Verified({"exp": now + 5}, settings())
    assert auth.good_until("t", verified, now) == now + 5
    verified = auth.Verified({"exp": now + 3600}, settings())
    assert auth.good_until("t", verified, now) == now + auth.VERIFIED_SECONDS
    assert auth.good_until("t", auth.Verified({}, settings()), now) == now + auth.VERIFIED_SECONDS
