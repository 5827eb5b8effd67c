"""RESTORE: put back what another action changed, from its before-images.

Its rows are the original action's images in row order (planning reads them, or makes them
from an INSERT's logs; each row names its `source_row`). Per row: an entity the action created
is deleted, a deleted one inserted again under its id, and updated fields set back (with the
key and `updated_at` they had; an increment taken back). An entity whose `updated_at` is no
longer the one the action's write put on it (for one it created: its `created_at`) was
changed by someone since: it is left as it is, SKIPPED with reason CHANGED_SINCE. Every
write is conditional on that stamp too, so a change made while the chunk runs is not
overwritten, and its row is then SKIPPED/CHANGED_SINCE as well (the entities store tells
the writes whose condition did not hold), never logged as put back.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo.operations import InsertOne

from app.domain.actions._base import (
    GONE,
    ActionInput,
    ChunkContext,
    DeleteById,
    ImportRules,
    Outcome,
    PreparedInput,
    TargetsById,
    UpdateById,
    WriteOp,
    actions,
    failed_write,
    is_stale,
)
from app.domain.actions._inputs import clashes, holders_of
from app.domain.entities import EntitySpec
from app.domain.entities._base import InvalidRecord
from app.domain.errors import BadUserInput
from app.domain.models.action_log import LogReason, LogStatus
from app.domain.rows import BeforeImage, Decisions, Row, RowBody

CHANGED = "Changed by someone else since the action wrote it: left as it is."
DELETED_SINCE = "Deleted since the action wrote it."


def skipped(row: Row, reason: LogReason, message: str) -> Outcome:
    return Outcome(row["row"], LogStatus.SKIPPED, reason, row["id"], message)


def stamp_of_image(image: BeforeImage, decisions: Decisions) -> datetime | None:
    """The `updated_at` the write being undone left on the entity: the image's stamp, or for
    an entity that write created (`inserted_image`), the `created_at` it has."""
    if "stamp" in image:
        return image["stamp"]
    return decisions.get("created", {}).get(image["id"])


def put_back(entity: EntitySpec, image: BeforeImage, stamp: datetime | None) -> WriteOp:
    """The write that undoes the image's change, only if no one wrote the entity since
    (`stamp`: what its `updated_at` was left as)."""
    unchanged = {"updated_at": stamp}
    if image.get("absent"):
        return DeleteById(ObjectId(image["id"]), unchanged)
    if (document := image.get("document")) is not None:
        return InsertOne(document)
    taken_back = image.get("increments", {})
    update: dict[str, Any] = {
        "$set": {
            **{
                f"data.{name}": value
                for name, value in image.get("fields", {}).items()
                if name not in taken_back
            },
            "updated_at": image["was"],
        }
    }
    if taken_back:
        # Added with `$inc`: what another writer did between the read and that write stays.
        update["$inc"] = {f"data.{name}": -amount for name, amount in taken_back.items()}
    if "key" in image:
        update["$set"]["key"] = image["key"]
    if added := image.get("added"):
        update["$unset"] = {f"data.{name}": "" for name in added}
    # Unique custom fields' slots follow their fields back (app.domain.entities).
    for name, slot in entity.unique_slots.items():
        if image.get("fields", {}).get(name) is not None:
            update["$set"][slot] = image["fields"][name]
        elif name in image.get("fields", {}) or name in (added or []):
            update.setdefault("$unset", {})[slot] = ""
    return UpdateById(ObjectId(image["id"]), update, unchanged)


class Restore(TargetsById):
    name = "RESTORE"
    description = (
        "Puts back what another action changed, from its before-images (made by restoreBulkAction)."
    )
    made_by = "restoreBulkAction(id)"

    def prepare(self, entity: EntitySpec, given: ActionInput) -> PreparedInput:
        raise BadUserInput(f"A RESTORE is made by {self.made_by}.")

    def record_row(
        self, entity: EntitySpec, record: Any, rules: ImportRules, text_checked: bool = False
    ) -> RowBody:
        raise InvalidRecord("A RESTORE takes no records.")

    def columns(self, entity: EntitySpec, rules: ImportRules) -> tuple[set[str], set[str]]:
        return set(), set()

    async def decide(self, ctx: ChunkContext, rows: Sequence[Row]) -> Decisions:
        """Which entities exist now, the `updated_at` each has (who wrote it last) and their
        `created_at`."""
        ids = [ObjectId(entity_id) for entity_id in dict.fromkeys(row["id"] for row in rows)]
        found = await ctx.read(
            {"_id": {"$in": ids}, "account_id": ctx.account_id},
            {"_id": 1, "updated_at": 1, "created_at": 1},
        )
        return {
            "existing": [str(doc["_id"]) for doc in found],
            "versions": {str(doc["_id"]): doc.get("updated_at") for doc in found},
            "created": {str(doc["_id"]): doc.get("created_at") for doc in found},
        }

    def unchanged_since(self, row: Row, decisions: Decisions) -> Outcome | None:
        """The outcome of a row that must not be written, or None to put it back."""
        image = row["image"]
        version = decisions.get("versions", {}).get(row["id"])
        if image.get("document") is not None:
            if version is not None:
                return skipped(row, LogReason.UNCHANGED, "The entity exists: nothing to insert.")
            return None
        if version is None:
            if image.get("absent"):
                return skipped(row, LogReason.UNCHANGED, "The entity is gone already.")
            return skipped(row, LogReason.CHANGED_SINCE, DELETED_SINCE)
        if version != stamp_of_image(image, decisions):
            return skipped(row, LogReason.CHANGED_SINCE, CHANGED)
        return None

    async def apply(
        self, ctx: ChunkContext, rows: Sequence[Row], decisions: Decisions
    ) -> list[Outcome]:
        held = {row["row"]: self.unchanged_since(row, decisions) for row in rows}
        targets = [row for row in rows if held[row["row"]] is None]
        if ctx.let_go is not None and not ctx.dry_run:
            # Before they are back, so that no delete of them is ever refused for a claim.
            await ctx.let_go([row["id"] for row in targets if "document" in row["image"]])
        errors = await ctx.run_writes(
            [
                put_back(ctx.entity, row["image"], stamp_of_image(row["image"], decisions))
                for row in targets
            ]
        )
        # A re-inserted entity whose key someone else took meanwhile; or this same entity,
        # inserted by an earlier delivery of the chunk.
        keys = [reinserted_key(targets[index]) for index in clashes(errors)]
        holders = await holders_of(ctx, [key for key in keys if key is not None])
        for index, row in enumerate(targets):
            if (error := errors.get(index)) is None:
                held[row["row"]] = Outcome(
                    row["row"], LogStatus.SUCCESS, undoing(row["image"]), row["id"]
                )
                continue
            key = reinserted_key(row)
            holder = holders.get(key) if key is not None else None
            if is_stale(error):  # changed since the read: its write's condition did not hold
                held[row["row"]] = skipped(row, LogReason.CHANGED_SINCE, CHANGED)
            elif error.get(GONE):
                held[row["row"]] = skipped(row, LogReason.CHANGED_SINCE, DELETED_SINCE)
            elif holder == row["id"]:
                held[row["row"]] = Outcome(
                    row["row"], LogStatus.SUCCESS, LogReason.INSERTED, holder
                )
            elif holder is not None:
                message = f"Another entity ({holder}) holds its key now: left as it is."
                held[row["row"]] = skipped(row, LogReason.CHANGED_SINCE, message)
            else:
                held[row["row"]] = failed_write(row["row"], error, row["id"])
        return [outcome for outcome in held.values() if outcome is not None]


def reinserted_key(row: Row) -> str | None:
    """The unique key of the deleted entity the row inserts again (None for other rows)."""
    key = row["image"].get("document", {}).get("key")
    return key if isinstance(key, str) else None


def undoing(image: BeforeImage) -> LogReason:
    """What putting the image back does to the entity."""
    if image.get("absent"):
        return LogReason.DELETED
    if image.get("document") is not None:
        return LogReason.INSERTED
    return LogReason.UPDATED


actions.register(Restore())
