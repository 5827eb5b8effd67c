"""Access to an account: API keys for integrations, and the audit trail of who did what."""

from app.domain.access.api_key import PREFIX, ApiKey, KeyParts, hash_of, new_key, parts_of
from app.domain.access.audit_event import AuditEvent, AuditKind

__all__ = [
    "PREFIX",
    "ApiKey",
    "AuditEvent",
    "AuditKind",
    "KeyParts",
    "hash_of",
    "new_key",
    "parts_of",
]
