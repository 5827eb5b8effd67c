"""GraphQL enums. Entity and action types come from the registries, so a new module
shows up in the schema without touching this file."""

from enum import Enum
from typing import TYPE_CHECKING

import strawberry

from app.domain.actions import actions
from app.domain.entities import entities
from app.domain.models import BulkActionStatus as DomainStatus
from app.domain.models import LogReason as DomainReason
from app.domain.models import LogStatus as DomainLogStatus

if TYPE_CHECKING:
    EntityType = str
    ActionType = str
else:
    EntityType = strawberry.enum(
        Enum("EntityType", {name: name for name in entities.names()}),
        description="The kinds of CRM entity; one module each in app/domain/entities.",
    )
    ActionType = strawberry.enum(
        Enum("ActionType", {name: name for name in actions.names()}),
        description="What an action does to its entities; one module each in app/domain/actions.",
    )

# The domain's own enums are the GraphQL enums; strawberry.enum only marks them.
BulkActionStatus = DomainStatus
LogStatus = DomainLogStatus
LogReason = DomainReason
strawberry.enum(BulkActionStatus)
strawberry.enum(LogStatus)
strawberry.enum(LogReason)
