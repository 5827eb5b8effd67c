"""What an action type is: how it validates input and how it applies one chunk.

A chunk is applied in two steps. `decide` reads what the database holds (which targets exist)
and its answer is stored with the chunk before anything is written; `apply` then writes with
one unordered bulk_write whose operations are idempotent, and maps every row to one outcome.
A redelivered chunk reuses the stored decisions, so it reports what the first attempt would
have reported, whatever that attempt managed to write before it died.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, NamedTuple, Protocol, TypeVar

from bson import ObjectId
from bson.errors import InvalidId
from pymongo.operations import InsertOne, UpdateOne

from app.domain.clock import stored_now
from app.domain.entities import EntitySpec
from app.domain.entities._base import InvalidRecord
from app.domain.errors import BadUserInput
from app.domain.models.action_log import ActionLog, LogReason, LogStatus
from app.domain.models.bulk_action import BulkAction
from app.domain.registry import Registry
from app.domain.rows import BeforeImage, Decisions, Row, RowBody
from app.domain.values import is_number, key_text


@dataclass(frozen=True, slots=True)
class UpdateById:
    """One entity's update, by its id (decide() checked the account; ids are never reused).
    What a chunk asks, not how it is sent: the entities store sends the targets given the same
    update as one `update_many` (app.infra.mongo.entities)."""

    id: ObjectId
    update: Mapping[str, Any]
    # Conditions besides the id: where they do not hold, the entity is left as it is.
    where: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class DeleteById:
    """One entity's delete, by its id, where it meets `where`. What a chunk asks: the entities
    store sends the deletes of the same conditions as one `delete_many` of their ids."""

    id: ObjectId
    where: Mapping[str, Any] | None = None


WriteOp = InsertOne[Any] | UpdateOne | UpdateById | DeleteById
# The field of an entity that names the chunk that last added to its numbers (update_by_id).
INCREMENTED_BY = "incremented_by"
# The entity a row's write changes, and what the write is.
Target = tuple[str, LogReason]
DUPLICATE_KEY_CODE = 11000
T = TypeVar("T")
# A write error's flag where the row's target was deleted by another writer after the chunk
# read it (the entities store tells): the row is NOT_FOUND, as if the read had not found it.
GONE = "gone"
# A write error's flag where the row's target is there but not as its write left it (its
# `updated_at` is not the chunk's): another writer changed it since the chunk's read, or
# since the chunk wrote it. It matters only to a write made on condition that the fields it
# fills be empty (`existingValues: KEEP`: `still_empty`), which one then may not have been:
# the row is decided again on what the entity holds now (KEEP_ROUNDS times at most).
STALE = "stale"
KEEP_ROUNDS = 3
KEPT_CHANGING = "Another writer kept changing the entity while the action ran."


class Outcome(NamedTuple):
    """A row's outcome (a tuple: one is made for every row)."""

    row: int
    status: LogStatus
    reason: LogReason
    entity_id: str | None = None
    message: str | None = None


@dataclass(frozen=True)
class ImportRules:
    """How rows given as records or a CSV meet the entities: the field they are matched by
    (`matchBy`; None: the action type's default), whether an empty value clears the field
    (`emptyValues: CLEAR`) or leaves it (SKIP), whether a value the entity holds
    already is kept (`existingValues: KEEP`) or overwritten (OVERWRITE), whether numbers
    written as text have a decimal comma (`decimalMark: COMMA`) or point (POINT), and
    whether days written with slashes put the day first (`dateOrder: DAY_FIRST`) or the
    month (MONTH_FIRST; None: such days are refused)."""

    match_by: str | None = None
    clear_empty: bool = False
    keep_existing: bool = False
    decimal_comma: bool = False
    date_order: str | None = None  # DAY_FIRST or MONTH_FIRST

    @property
    def given(self) -> list[str]:
        """The rules that differ from the defaults, as the API names them."""
        named = [("matchBy", self.match_by is not None), ("emptyValues", self.clear_empty)]
        named.append(("existingValues", self.keep_existing))
        named.append(("decimalMark", self.decimal_comma))
        named.append(("dateOrder", self.date_order is not None))
        return [name for name, differs in named if differs]


DEFAULT_RULES = ImportRules()
# The rules about how a row's text is read, not how it meets the entities.
READING_RULES = ("decimalMark", "dateOrder")


@dataclass(frozen=True)
class ActionInput:
    """What a create names its targets with, as the client sent it."""

    entity_ids: Sequence[Any] | None = None
    fields: Any = None
    records: Sequence[Any] | None = None
    filter: Any = None  # an audience: app.domain.filters
    # Field operations besides set, by input name: {"unset": [...], "addToList": {...}}.
    operations: Mapping[str, Any] | None = None
    columns: Sequence[Any] | None = None  # EXPORT: the fields to write, in order
    rules: ImportRules = DEFAULT_RULES


@dataclass
class PreparedInput:
    """Validated rows in input order, fields shared by all targets (UPDATE by ids or by
    filter), or the checked filter whose matches planning reads as rows."""

    rows: list[Row]
    fields: dict[str, Any] | None = None
    filter: dict[str, Any] | None = None
    operations: dict[str, dict[str, Any]] | None = None
    columns: list[str] | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ChunkContext:
    account_id: str
    entity: EntitySpec
    fields: dict[str, Any] | None
    # The chunk's one query and its one write on the entities (given by the engine: the
    # entities store, app.infra.mongo.entities).
    read: "EntityReader"
    write: "EntityWriter"
    # The action's field operations besides set (app.domain.operations), checked.
    operations: Mapping[str, Mapping[str, Any]] | None = None
    # The chunk's id (an increment records it: update_by_id). EXPORT: the columns, and where
    # its part of the file goes (given by the engine: app.infra.files.export_parts).
    chunk_id: str = ""
    columns: list[str] | None = None
    store_part: "PartStore | None" = None
    # Stores the chunk's decisions in place of those it decided first, where writing found
    # more to decide (UPSERT; given by the engine: app.infra.mongo.chunks).
    store_decisions: "DecisionStore | None" = None
    # DELETE: claims the targets its chunk deletes, and lets go of those a RESTORE puts back
    # (given by the engine: app.infra.mongo.claims.deletions). Without them every target is its own.
    claim: "DeletionClaimer | None" = None
    let_go: "ClaimRelease | None" = None
    # A dry run: outcomes as they would be, and no entity written (app.domain.actions).
    dry_run: bool = False
    rules: ImportRules = DEFAULT_RULES

    async def run_writes(self, ops: Sequence[WriteOp]) -> dict[int, Any]:
        """Runs the operations unordered; returns the write errors by operation index. A dry
        run writes nothing and takes every write to succeed (an INSERT checks its keys)."""
        if self.dry_run:
            return {}
        return await self.write(ops)


class DecisionStore(Protocol):
    """Stores a chunk's decisions, in place of those stored before."""

    async def __call__(self, decisions: Decisions) -> None: ...


class DeletionClaimer(Protocol):
    """Claims the entities a chunk is to delete; returns those it deletes: all but those
    another action claimed first (it deleted them)."""

    async def __call__(self, entity_ids: Sequence[str]) -> set[str]: ...


class ClaimRelease(Protocol):
    """Lets go of the claims on entities put back: deleting them again is a new deletion."""

    async def __call__(self, entity_ids: Sequence[str]) -> None: ...


class PartStore(Protocol):
    """Stores a chunk's part of an exported file; storing it again replaces it."""

    async def __call__(self, part_id: str, data: bytes) -> None: ...


class EntityReader(Protocol):
    """Finds the chunk's entities of the action's kind: one query, in one reply."""

    async def __call__(
        self, query: Mapping[str, Any], projection: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]: ...


class EntityWriter(Protocol):
    """Runs unordered writes on the entities: errors of single operations come back by
    operation index (they are rows' outcomes); any other error propagates, so the chunk is
    retried."""

    async def __call__(self, ops: Sequence[WriteOp]) -> dict[int, Any]: ...


def parse_entity_id(value: Any) -> str:
    """An entity id as text, as it is stored (lower-case hex): read once, where
    `ObjectId.is_valid` would read it a second time (every row of an UPDATE or DELETE)."""
    if isinstance(value, str):
        try:
            return str(ObjectId(value))
        except InvalidId:
            pass
    raise InvalidRecord(f"id: {value!r} is not a valid entity id.")


def stamp_of(decisions: Decisions) -> datetime:
    """The `updated_at` the chunk's writes put on entities (fixed with its decisions)."""
    return decisions.get("stamp") or stored_now()


def entity_update(
    entity: EntitySpec, changes: Mapping[str, Mapping[str, Any]], stamp: datetime
) -> dict[str, Any]:
    """The MongoDB update of one entity from its field changes, `{operator: {field:
    argument}}`: fields live under `data`, the unique key is mirrored into `key`, and
    `updated_at` is stamped."""
    update: dict[str, Any] = {
        operator: {f"data.{field}": argument for field, argument in fields.items()}
        for operator, fields in changes.items()
    }
    stamps = update.setdefault("$set", {})
    if entity.unique_field in changes.get("$set", {}):
        stamps["key"] = changes["$set"][entity.unique_field]
    for name, slot in entity.unique_slots.items():
        if name in changes.get("$set", {}):
            stamps[slot] = changes["$set"][name]
        elif name in changes.get("$unset", {}):
            update["$unset"][slot] = ""
    stamps["updated_at"] = stamp
    return update


def update_by_id(
    entity: EntitySpec,
    entity_id: str,
    changes: Mapping[str, Mapping[str, Any]],
    stamp: datetime,
    chunk_id: str,
    where: Mapping[str, Any] | None = None,
) -> UpdateById:
    """The write of one entity's field changes (`entity_update`), where the entity meets
    `where` (`still_empty`). An increment adds to the number as the entity holds it
    when written (`$inc`), so a change another writer made since the chunk's read is kept;
    it is made once per chunk: the entity records the chunk that last added to it, and a
    delivery after one that wrote it adds nothing again."""
    update = entity_update(entity, changes, stamp)
    conditions = dict(where or {})
    if "$inc" in changes:
        update["$set"][INCREMENTED_BY] = chunk_id
        conditions[INCREMENTED_BY] = {"$ne": chunk_id}
    return UpdateById(ObjectId(entity_id), update, conditions or None)


def still_empty(
    changes: Mapping[str, Mapping[str, Any]], data: Mapping[str, Any], keep_existing: bool
) -> dict[str, Any]:
    """The condition of a write decided under `existingValues: KEEP`: each field it fills
    from the row (`data`) still empty when written, so that a value another writer gave one
    since the chunk's read is never overwritten (the row is decided again: `STALE`); none
    otherwise."""
    if not keep_existing:
        return {}
    filled = [field for field in changes.get("$set", {}) if field in data]
    return {f"data.{field}": {"$in": [None, "", []]} for field in filled}


def is_stale(error: Mapping[str, Any] | None) -> bool:
    return bool(error and error.get(STALE))


def updated(row: int, entity_id: str, error: Mapping[str, Any] | None, keep: bool) -> Outcome:
    """The outcome of a row's update of its entity, by the write's error: UPDATED; FAILED by
    the error; an entity another writer changed (`STALE`) UPDATED where the write had no
    condition (it wrote), and FAILED/KEPT_CHANGING under KEEP (its row is decided again,
    and this stands if it is never written)."""
    if keep and is_stale(error):
        return Outcome(row, LogStatus.FAILED, LogReason.WRITE_ERROR, entity_id, KEPT_CHANGING)
    if error and not is_stale(error):
        return failed_write(row, error, entity_id)
    return Outcome(row, LogStatus.SUCCESS, LogReason.UPDATED, entity_id)


def slot_values(entity: EntitySpec, data: Mapping[str, Any]) -> dict[str, Any]:
    """The unique slots a new entity with these fields fills (app.domain.entities)."""
    return {
        slot: data[field]
        for field, slot in entity.unique_slots.items()
        if data.get(field) is not None
    }


def previous_state(
    found: Sequence[Mapping[str, Any]], read: set[str], with_keys: bool = True
) -> Decisions:
    """What a decide step read of entities it may update, for their before-images: the fields
    it read (`read`, by every target), `updated_at` and (`with_keys`: where it may change it)
    unique key, by entity id."""
    state: Decisions = {
        "current": {str(doc["_id"]): doc.get("data", {}) for doc in found},
        "versions": {str(doc["_id"]): doc.get("updated_at") for doc in found},
        "read": sorted(read),
    }
    if with_keys:
        state["keys"] = {str(doc["_id"]): doc.get("key") for doc in found}
    return state


def with_read_state(
    decisions: Decisions, found: Decisions, replaced: AbstractSet[str] = frozenset()
) -> Decisions:
    """The decisions with the read state of entities read since (`previous_state`) laid over
    theirs; that of the entities `replaced` (read again) left out first, so that one not
    found again is gone from them."""
    merged = decisions.copy()
    merged["current"] = laid_over(decisions.get("current", {}), found["current"], replaced)
    merged["versions"] = laid_over(decisions.get("versions", {}), found["versions"], replaced)
    if "keys" in found:
        merged["keys"] = laid_over(decisions.get("keys", {}), found["keys"], replaced)
    return merged


def laid_over(
    earlier: Mapping[str, T], later: Mapping[str, T], replaced: AbstractSet[str]
) -> dict[str, T]:
    return {**{k: v for k, v in earlier.items() if k not in replaced}, **later}


# What a decide step reads of the entities it may update besides their fields.
PREVIOUS_STATE_FIELDS = {"_id": 1, "key": 1, "updated_at": 1}


def update_image(
    entity: EntitySpec, row: int, entity_id: str, decisions: Decisions
) -> BeforeImage | None:
    """The before-image of an update, from what its decide step read (`previous_state`): the
    values every field it read had, and those it lacked as added. A row changed some of them
    only, but the others still hold those values while the entity is unchanged since, which
    is when a restore writes it. None for decisions stored before they named what they read
    (`read`): that chunk's images were stored (app.infra.mongo.before_images)."""
    if "read" not in decisions:
        return None
    fields = decisions["read"]
    current = decisions.get("current", {}).get(entity_id, {})
    image: BeforeImage = {
        "row": row,
        "id": entity_id,
        "stamp": stamp_of(decisions),
        "fields": {name: current[name] for name in fields if name in current},
        "added": [name for name in fields if name not in current],
        "was": decisions.get("versions", {})[entity_id],
    }
    if entity.unique_field in fields:
        image["key"] = decisions.get("keys", {})[entity_id]
    if added := {
        field: amount
        for field, amount in decisions.get("increments", {}).items()
        if is_number(current.get(field))
    }:
        image["increments"] = added  # written as `$inc`: taken back the same way
    return image


def absent_image(row: int, entity_id: str, decisions: Decisions) -> BeforeImage:
    """The before-image of an entity the write created: it did not exist."""
    return {"row": row, "id": entity_id, "stamp": stamp_of(decisions), "absent": True}


def inserted_image(row: int, entity_id: str) -> BeforeImage:
    """The before-image of an entity an action undone from its logs created: it did not
    exist, and it is unchanged since while its `updated_at` is its `created_at`."""
    return {"row": row, "id": entity_id, "absent": True}


def not_found(row: Row, message: str | None = None) -> Outcome:
    """A target named by id (or by a match key) that the account does not have (any more)."""
    if message is not None:
        return Outcome(row["row"], LogStatus.FAILED, LogReason.NOT_FOUND, row["id"], message)
    if "match" in row:
        return Outcome(
            row["row"],
            LogStatus.FAILED,
            LogReason.NOT_FOUND,
            None,
            f"No entity with this value ({str(row['match'])[:100]!r}) in the account.",
        )
    return Outcome(
        row["row"],
        LogStatus.FAILED,
        LogReason.NOT_FOUND,
        row["id"],
        "No entity with this id in the account.",
    )


def by_id(rows: Sequence[Row], decisions: Decisions) -> list[Row]:
    """Rows that name their target by a match key (matchBy), as rows naming it by id: the
    entity the decide step found holding the key, or none ("")."""
    matched = {found["key"]: found["id"] for found in decisions.get("matched", [])}
    return [{**row, "id": matched.get(row["match"], "")} if "match" in row else row for row in rows]


def failed_write(row: int, error: Mapping[str, Any], entity_id: str | None = None) -> Outcome:
    duplicate = error.get("code") == DUPLICATE_KEY_CODE
    return Outcome(
        row=row,
        status=LogStatus.FAILED,
        reason=LogReason.NOT_FOUND
        if error.get(GONE)
        else LogReason.DUPLICATE_KEY
        if duplicate
        else LogReason.WRITE_ERROR,
        entity_id=entity_id,
        message=str(error.get("errmsg", "write failed")),
    )


class ActionSpec(ABC):
    name: ClassVar[str]
    # What it does, in a sentence: the GraphQL ActionType value's description.
    description: ClassVar[str]
    # Rows name their target by entity id (UPDATE, DELETE) rather than by unique key.
    targets_by_id: ClassVar[bool] = False
    # Rows may create entities, so planning gives each one the id its insert will use.
    creates_entities: ClassVar[bool] = False
    # A RESTORE can undo it: from before-images made of its chunks' stored decisions, which
    # hold the before-state, and its logs' SUCCESS rows (`images_of`), or from its logs alone
    # (`undone_from_logs`).
    restorable: ClassVar[bool] = False
    # It only creates entities: a RESTORE finds them in its logs (SUCCESS/INSERTED, with
    # their ids) and deletes those unchanged since (`updated_at` still their `created_at`),
    # so it needs none of its decisions once it ends.
    undone_from_logs: ClassVar[bool] = False
    # Its chunks store their decisions (`decide`, with the stamp their writes put on
    # entities), so a redelivery decides and stamps as the first delivery did. An INSERT
    # needs none: it decides nothing, and an entity under a row's planned id was inserted by
    # it, whatever its stamp (`written`).
    keeps_decisions: ClassVar[bool] = True
    # Its chunks claim the entities they delete before deleting them (ChunkContext.claim),
    # so that of two actions deleting one entity at once, one logs it deleted.
    claims_deletions: ClassVar[bool] = False
    # The mutation that makes actions of this type, when createBulkAction does not (RESTORE).
    made_by: ClassVar[str | None] = None

    @abstractmethod
    def prepare(self, entity: EntitySpec, given: ActionInput) -> PreparedInput:
        """Validates the create input; errors go to `PreparedInput.errors` with their row."""

    @abstractmethod
    def record_row(
        self, entity: EntitySpec, record: Any, rules: ImportRules, text_checked: bool = False
    ) -> RowBody:
        """One record (a JSON object, or a CSV row as a dict) as a row; InvalidRecord if bad.
        `text_checked`: as EntitySpec.validate takes it (a CSV row's values)."""

    @abstractmethod
    def columns(self, entity: EntitySpec, rules: ImportRules) -> tuple[set[str], set[str]]:
        """The CSV columns this action allows, and those it requires."""

    def check_rules(self, entity: EntitySpec, rules: ImportRules, from_rows: bool) -> None:
        """Refuses import rules the action does not take (`from_rows`: records or a CSV)."""
        if rules.given:
            raise BadUserInput(f"{self.name} does not take `{rules.given[0]}`.")

    def prepare_operations(
        self, entity: EntitySpec, given: ActionInput
    ) -> dict[str, dict[str, Any]] | None:
        """The checked field operations besides set; only UPDATE takes them."""
        if named := [name for name, value in (given.operations or {}).items() if value]:
            raise BadUserInput(f"{self.name} does not take `{named[0]}`.")
        return None

    def records_input(
        self, entity: EntitySpec, records: Sequence[Any], rules: ImportRules
    ) -> PreparedInput:
        return collect(
            enumerate(records, start=1), lambda record: self.record_row(entity, record, rules)
        )

    def dedupe_key(self, row: RowBody) -> str:
        if "match" in row:
            return key_text(row["match"])
        return str(row["id"] if self.targets_by_id else row["key"])

    def key_field(self, entity: EntitySpec, rules: ImportRules) -> str:
        """The field a row's dedupe key comes from."""
        return rules.match_by or ("id" if self.targets_by_id else entity.unique_field)

    def key_of(self, entity: EntitySpec, value: Any, rules: ImportRules) -> str:
        """The dedupe key of every valid row whose key field (`key_field`) holds `value` (a
        CSV cell's, as EntitySpec.csv_cells_of reads it), worked out from that value alone:
        InvalidRecord when the value makes every such row invalid. Here, as the row of a
        record that holds only that field; an action whose rows need more overrides it."""
        record = {self.key_field(entity, rules): value}
        return self.dedupe_key(self.record_row(entity, record, rules, text_checked=True))

    async def decide(self, ctx: ChunkContext, rows: Sequence[Row]) -> Decisions:
        return {}

    def images_of(
        self, entity: EntitySpec, changed: Sequence[ActionLog], decisions: Decisions
    ) -> list[BeforeImage | None]:
        """What the entities a chunk's rows changed (logged SUCCESS) looked like before, one
        per row, made from the chunk's decisions, so that the action can be undone; None
        where they cannot tell (stored before they could; that chunk's images were stored
        then)."""
        return [None] * len(changed)

    @abstractmethod
    async def apply(
        self, ctx: ChunkContext, rows: Sequence[Row], decisions: Decisions
    ) -> list[Outcome]:
        """Writes the rows and returns exactly one outcome per row."""

    def targets_of(self, rows: Sequence[Row], decisions: Decisions) -> dict[int, Target]:
        """The entity each row's write changes and what the write is, by row: an insert under
        its planned id, an update of the entity it names."""
        return {
            row["row"]: (row["new_id"], LogReason.INSERTED)
            if row.get("new_id")
            else (row["id"], LogReason.UPDATED)
            for row in by_id(rows, decisions)
            if row.get("new_id") or row.get("id")
        }

    def written(
        self,
        rows: Sequence[Row],
        decisions: Decisions,
        stamps: Mapping[str, Any],
        claimed: AbstractSet[str] = frozenset(),
    ) -> dict[int, Outcome]:
        """The rows an attempt of the chunk wrote, by row, as the database shows them
        (`stamps`: the `updated_at` of the targets found; `claimed`: the targets the chunk
        claimed to delete, where it `claims_deletions`): a target carrying the chunk's
        stamp, which each of its writes sets, was written by it. Without stored decisions
        there is no stamp to tell by: only an INSERT keeps none, and an entity under a row's
        planned id was inserted by it, whatever its stamp."""
        stamp = decisions.get("stamp")
        return {
            number: Outcome(number, LogStatus.SUCCESS, reason, entity_id)
            for number, (entity_id, reason) in self.targets_of(rows, decisions).items()
            if entity_id in stamps and (not self.keeps_decisions or stamps[entity_id] == stamp)
        }


def collect(items: Iterator[tuple[int, Any]], build: Callable[[Any], RowBody]) -> PreparedInput:
    """Runs `build(item)` over numbered input items, gathering row errors."""
    prepared = PreparedInput(rows=[])
    for number, item in items:
        try:
            prepared.rows.append({"row": number, **build(item)})
        except InvalidRecord as exc:
            prepared.errors.append({"row": number, "message": str(exc)})
    return prepared


class TargetsById(ActionSpec):
    """Actions on entities named by id; `decide` finds which of them exist in the account."""

    targets_by_id = True
    # Whether its rows write fields (UPDATE), which the rules but matchBy are about.
    writes_fields = True

    async def decide(self, ctx: ChunkContext, rows: Sequence[Row]) -> Decisions:
        # One query for the whole chunk, answered from the _id index on mongod.
        found = await ctx.read(
            {"_id": {"$in": target_ids(rows)}, "account_id": ctx.account_id}, {"_id": 1}
        )
        return {"existing": [str(doc["_id"]) for doc in found]}

    def check_rules(self, entity: EntitySpec, rules: ImportRules, from_rows: bool) -> None:
        """Rows from records or a CSV may be matched by another unique field than `id`."""
        if not self.writes_fields and rules.given not in ([], ["matchBy"]):
            raise BadUserInput(
                f"{self.name} writes no fields: it takes no emptyValues, existingValues, "
                "decimalMark or dateOrder."
            )
        if rules.given and not from_rows:
            raise BadUserInput(
                f"`{rules.given[0]}` goes with `records` or a CSV, not entityIds or a filter."
            )
        if rules.match_by is not None and rules.match_by != "id":
            check_match_field(entity, rules.match_by)


def target_ids(rows: Sequence[Row]) -> list[ObjectId]:
    """The distinct ids the rows name (a row whose match key found none names "")."""
    return [
        ObjectId(entity_id) for entity_id in dict.fromkeys(row["id"] for row in rows) if entity_id
    ]


def check_match_field(entity: EntitySpec, field: str) -> None:
    """A field rows may be matched by: the built-in unique one or a unique custom field."""
    visible = field in entity.unique_slots and field in entity.field_names
    if field != entity.unique_field and not visible:
        choices = [entity.unique_field, *sorted(set(entity.unique_slots) & entity.field_names)]
        raise BadUserInput(
            f"matchBy: {field[:80]!r} is not a unique field of {entity.name}; rows can be "
            f"matched by {', '.join(choices)} (UPDATE and DELETE also by id)."
        )


actions: Registry[ActionSpec] = Registry("app.domain.actions", "action type")


def rules_of(action: BulkAction) -> ImportRules:
    """The import rules the action was made with."""
    return ImportRules(
        match_by=action.match_by,
        clear_empty=action.empty_values == "CLEAR",
        keep_existing=action.existing_values == "KEEP",
        decimal_comma=action.decimal_mark == "COMMA",
        date_order=action.date_order,
    )


def can_be_restored(action: BulkAction) -> bool:
    """Whether a RESTORE can undo the action: a restorable type, not a dry run."""
    return actions.get(action.action_type).restorable and not action.dry_run


def decisions_kept_for_restore(action: BulkAction) -> bool:
    """Whether the action's chunks' decisions are kept until its restore window closes: they
    are its before-images (it can be restored, not from its logs)."""
    return can_be_restored(action) and not actions.get(action.action_type).undone_from_logs
