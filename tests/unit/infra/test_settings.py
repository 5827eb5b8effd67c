"""Settings that guard the platform: the token secret is long enough for HS256; logs outlive
the restore window (an INSERT is restored from them)."""

import pytest
from pydantic import ValidationError

from app.infra.settings import Settings


def test_the_token_secret_has_at_least_32_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JWT_SECRET", raising=False)
    assert len(Settings().jwt_secret.encode()) >= 32  # the development default too
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(jwt_secret="too-short-a-secret")


def test_logs_are_kept_at_least_as_long_as_actions_can_be_restored() -> None:
    assert Settings(restore_retention_days=30, log_retention_days=30).log_retention_days == 30
    with pytest.raises(ValidationError, match="LOG_RETENTION_DAYS"):
        Settings(restore_retention_days=30, log_retention_days=29)
