"""The audit trail's use cases: each use case that changes an account records who did it
(`record`), and `events` pages through them, newest first, for the account or, for an
admin, any account named."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from beanie import PydanticObjectId

from app.domain.access import AuditEvent, AuditKind
from app.domain.clock import utcnow
from app.domain.principal import Principal, Scope
from app.infra.mongo.accounts import audit
from app.infra.settings import get_settings
from app.usecases.reading.pagination import Page, PageRequest, tighten
from app.usecases.reading.queries import id_page, id_range, object_id


async def record(
    principal: Principal,
    kind: AuditKind,
    *,
    action_id: PydanticObjectId | None = None,
    subject: str | None = None,
    account_id: str | None = None,
    **details: Any,
) -> None:
    """Records that `principal` did `kind` (to `account_id`, by default its own)."""
    now = utcnow()
    await audit.append(
        AuditEvent(
            account_id=account_id or principal.account_id,
            kind=kind,
            at=now,
            user_id=principal.user_id,
            api_key_id=principal.api_key_id,
            address=principal.address,
            action_id=action_id,
            subject=subject,
            details={name: value for name, value in details.items() if value is not None},
            expires_at=now + timedelta(days=get_settings().audit_retention_days),
        )
    )


@dataclass(frozen=True)
class AuditFilter:
    action_id: str | None = None
    user_id: str | None = None
    kind: AuditKind | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    account_id: str | None = None  # an admin's choice of account


async def events(
    principal: Principal, wanted: AuditFilter, request: PageRequest
) -> Page[AuditEvent]:
    account = principal.account_id
    if wanted.account_id is not None and wanted.account_id != account:
        principal.require(Scope.ADMIN)
        account = wanted.account_id
    query: dict[str, Any] = {"account_id": account}
    if wanted.action_id is not None:
        query["action_id"] = object_id(wanted.action_id, "bulk action")
    if wanted.user_id is not None:
        query["user_id"] = wanted.user_id
    if wanted.kind is not None:
        query["kind"] = str(wanted.kind)
    for operator, bound in id_range(("from", wanted.since), ("to", wanted.until)).items():
        query["_id"] = tighten(query.get("_id", {}), operator, bound)
    return await id_page(AuditEvent, query, request, "audit", descending=True)
