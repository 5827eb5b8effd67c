"""Settings that guard the platform: the token secret is long enough for HS256."""

import pytest
from pydantic import ValidationError

from app.infra.settings import Settings


def test_the_token_secret_has_at_least_32_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JWT_SECRET", raising=False)
    assert len(Settings().jwt_secret.encode()) >= 32  # the development default too
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(jwt_secret="too-short-a-secret")
