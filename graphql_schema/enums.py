"""GraphQL enums. Entity and action types come from the registries, each value described by
its own module, so a new module shows up in the schema, documented, without touching this
file; the domain's own enums get their values' descriptions here."""

import dataclasses
from enum import Enum
from typing import TYPE_CHECKING, Any

import strawberry

from app.domain.actions import actions
from app.domain.entities import entities
from app.domain.models import BulkActionStatus as DomainStatus
from app.domain.models import LogReason as DomainReason
from app.domain.models import LogStatus as DomainLogStatus
from app.domain.models.webhook import WebhookEvent as DomainEvent
from app.infra.files.encodings import FileEncoding as UploadEncoding


def described(cls: Any, description: str, values: dict[str, str]) -> Any:
    """Marks `cls` as a GraphQL enum with a description for it and for each of its values
    (every one: a missing value is a KeyError at import, not an undocumented schema)."""
    strawberry.enum(cls, description=description)
    definition = cls.__strawberry_definition__
    definition.values = [
        dataclasses.replace(value, description=values[value.name]) for value in definition.values
    ]
    return cls


def registry_enum(name: str, registry: Any, description: str) -> Any:
    """An enum of a registry's names, each value described by its spec."""
    members = Enum(name, {spec.name: spec.name for spec in registry})  # type: ignore[misc]
    return described(members, description, {spec.name: spec.description for spec in registry})


if TYPE_CHECKING:
    EntityType = str
    ActionType = str
else:
    EntityType = registry_enum(
        "EntityType",
        entities,
        "The kinds of CRM entity; one module each in app/domain/entities.",
    )
    ActionType = registry_enum(
        "ActionType",
        actions,
        "What an action does to its entities; one module each in app/domain/actions.",
    )

# The domain's own enums are the GraphQL enums; `described` only marks them.
BulkActionStatus = described(
    DomainStatus,
    "Where an action is in its life.",
    {
        "SCHEDULED": "Waits for its `scheduledAt` time.",
        "QUEUED": "Made, waiting for a worker to plan it.",
        "PROCESSING": "Planning and processing its chunks.",
        "PAUSED": "Paused by pauseBulkAction: no new chunk starts until resumeBulkAction.",
        "CANCELLING": "Cancelled; chunks under way finish, the rest are logged SKIPPED/CANCELLED.",
        "COMPLETED": "Every row processed, none FAILED.",
        "COMPLETED_WITH_ERRORS": "Every row processed, some FAILED (see the logs).",
        "FAILED": "Stopped by an error of the action itself (its `error` says which).",
        "CANCELLED": "Cancelled: every row not processed is logged SKIPPED/CANCELLED.",
    },
)
LogStatus = described(
    DomainLogStatus,
    "What became of one row.",
    {
        "SUCCESS": "The row did what it asked.",
        "FAILED": "The row could not be done; its reason and message say why.",
        "SKIPPED": "The row was left alone on purpose; its reason says why.",
    },
)
LogReason = described(
    DomainReason,
    "Why a row ended as it did.",
    {
        "UPDATED": "The entity was changed.",
        "INSERTED": "The entity was created.",
        "DELETED": "The entity was deleted.",
        "DUPLICATE_IN_INPUT": "An earlier row of the input had the same key: the first wins.",
        "ALREADY_EXISTS": "INSERT of a key the account already has.",
        "NOT_FOUND": "No entity of the account has this id (or it vanished).",
        "DUPLICATE_KEY": "The change would give the entity a key another entity has.",
        "INVALID": "The row does not fit the entity's schema (the message names the field).",
        "WRITE_ERROR": "The database refused the write (the message says why).",
        "PROCESSING_ERROR": "Its chunk failed after every retry.",
        "CANCELLED": "The action was cancelled before this row was processed.",
        "UNCHANGED": "The entity already looked as asked: nothing was written.",
        "EXPORTED": "The entity was written to the export file.",
        "CHANGED_SINCE": "RESTORE left it: the entity changed after the restored action.",
    },
)
WebhookEvent = described(
    DomainEvent,
    "What a webhook is told of.",
    {
        "ACTION_STARTED": "An action began processing.",
        "ACTION_COMPLETED": "An action ended COMPLETED or COMPLETED_WITH_ERRORS.",
        "ACTION_FAILED": "An action ended FAILED.",
        "ACTION_CANCELLED": "An action ended CANCELLED.",
    },
)

FileEncoding = described(
    UploadEncoding,
    "A CSV file's text encoding; the file is stored as UTF-8.",
    {
        "UTF_8": 'UTF-8 (default), as "CSV UTF-8" and most tools save it.',
        "WINDOWS_1252": 'Windows-1252 (Latin-1), as Excel on Windows saves "CSV (Comma '
        'delimited)".',
        "MAC_ROMAN": 'Mac Roman, as Excel for Mac saves "CSV (Macintosh)".',
    },
)


@strawberry.enum(description="What an empty CSV cell or a null in a record does to a field.")
class EmptyValues(Enum):
    SKIP = strawberry.enum_value("SKIP", description="Leaves the field as it is (default).")
    CLEAR = strawberry.enum_value("CLEAR", description="Clears the field (never the unique key).")


@strawberry.enum(description="How numbers written as text (a CSV's cells) mark their decimals.")
class DecimalMark(Enum):
    POINT = strawberry.enum_value(
        "POINT", description="1234.5; no separators between thousands (default)."
    )
    COMMA = strawberry.enum_value(
        "COMMA",
        description="1234,5 or 1.234,5 (thousands by '.', a space or \"'\"), as spreadsheets "
        "in much of Europe and South America write them; 1.5 is then refused.",
    )


@strawberry.enum(description="How days written with slashes (12/3/2026) order day and month.")
class DateOrder(Enum):
    DAY_FIRST = strawberry.enum_value(
        "DAY_FIRST", description="31/12/2026, as Britain and most of the world write days."
    )
    MONTH_FIRST = strawberry.enum_value(
        "MONTH_FIRST", description="12/31/2026, as the United States write days."
    )


@strawberry.enum(description="What a row does to values an entity holds already.")
class ExistingValues(Enum):
    OVERWRITE = strawberry.enum_value(
        "OVERWRITE", description="Writes the row's values over them (default)."
    )
    KEEP = strawberry.enum_value(
        "KEEP", description="Keeps them: only fields that are empty now are filled."
    )
