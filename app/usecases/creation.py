"""Creating a bulk action: validate everything, store it, enqueue its planning.

Nothing is stored unless the whole input is valid, and whatever was stored is removed again
if a later step fails, so a failed create leaves no partial action behind.
"""

import hashlib
import json
import re
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from beanie import PydanticObjectId

from app.domain.access import AuditKind
from app.domain.actions import ActionInput, ActionSpec, ImportRules, PreparedInput, actions
from app.domain.clock import utcnow
from app.domain.drip import Pace
from app.domain.entities import EntitySpec, entities
from app.domain.errors import BadUserInput
from app.domain.models import BulkAction, BulkActionStatus, IdempotencyKey
from app.domain.models.ids import saved_id
from app.domain.principal import Principal
from app.domain.rows import Row
from app.domain.schedule import check_schedule
from app.infra.files import uploads
from app.infra.files.csv_records import header_of
from app.infra.files.uploads import StoredUpload
from app.infra.mongo import actions as stored_actions
from app.infra.mongo import drips, inputs
from app.infra.mongo.accounts import custom_fields
from app.infra.redis.events import publish_change
from app.infra.redis.tasks import send_planner
from app.infra.settings import get_settings
from app.usecases import idempotency
from app.usecases.accounts import audit
from app.usecases.bounds import check_filter_bounds
from app.usecases.drip import DripRequest, checked_pace
from app.usecases.idempotency import key_claim

ERRORS_SHOWN = 50


@dataclass(frozen=True)
class CreateRequest:
    entity_type: str
    action_type: str
    given: ActionInput
    scheduled_at: datetime | None = None
    idempotency_key: str | None = None
    upload_id: str | None = None
    column_map: Any = None
    dry_run: bool = False
    drip: DripRequest | None = None


def check_one_input(request: CreateRequest) -> None:
    """An action names its targets one way only."""
    given = request.given
    named = [
        name
        for name, value in (
            ("entityIds", given.entity_ids),
            ("records", given.records),
            ("file/uploadId", request.upload_id),
            ("filter", given.filter),
        )
        if value is not None
    ]
    if len(named) > 1:
        raise BadUserInput(
            f"Name the targets one way: exactly one of entityIds, records, file/uploadId or "
            f"filter; got {', '.join(named)}."
        )


def check_size(given: ActionInput) -> None:
    count = len(given.entity_ids or ()) + len(given.records or ())
    limit = get_settings().max_inline_records
    if count > limit:
        raise BadUserInput(f"At most {limit} entityIds or records per action; got {count}.")
    if (given.entity_ids is not None or given.records is not None) and count == 0:
        raise BadUserInput("The action names no entities: entityIds and records are empty.")


async def create_bulk_action(principal: Principal, request: CreateRequest) -> BulkAction:
    check_filter_bounds(request.given.filter)  # before any database work
    key = request.idempotency_key
    asked = None
    upload: StoredUpload | None = None  # found once: the fingerprint and the header need it
    if key is not None:
        idempotency.check_key(key)
        if request.upload_id is not None:
            upload = await uploads.find(principal.account_id, request.upload_id)
        asked = fingerprint(request, upload)
        if earlier := await idempotency.holder(principal, key_claim(principal, key), asked):
            return earlier

    try:
        entities.get(request.entity_type)
    except KeyError as exc:
        raise BadUserInput(f"entityType: {exc.args[0]}.") from None
    field_set, entity = await custom_fields.fix_set(principal.account_id, request.entity_type)
    spec = actions.get(request.action_type)
    if spec.made_by is not None:
        raise BadUserInput(f"A {spec.name} is made by {spec.made_by}, not createBulkAction.")
    scheduled_at = check_schedule(request.scheduled_at)
    pace = None if request.drip is None else await checked_pace(principal.account_id, request.drip)
    columns: list[str | None] | None = None
    check_one_input(request)
    rules = request.given.rules
    spec.check_rules(entity, rules, request.given.records is not None or bool(request.upload_id))
    if request.upload_id is not None:
        given = request.given
        if given.fields is not None:
            raise BadUserInput("Give either a file (or uploadId), or entityIds/records/fields.")
        upload = upload or await uploads.find(principal.account_id, request.upload_id)
        header = await header_of(uploads.read(upload.id))
        columns = resolve_columns(spec, entity, rules, header, request.column_map)
        prepared = PreparedInput(rows=[])
    else:
        if request.column_map is not None:
            raise BadUserInput("`columnMap` goes with a file or uploadId.")
        check_size(request.given)
        prepared = spec.prepare(entity, request.given)
    prepared.operations = spec.prepare_operations(entity, request.given)
    if request.given.columns is not None and prepared.columns is None:
        raise BadUserInput(f"{spec.name} does not take `columns`.")
    if prepared.errors:
        first = prepared.errors[0]
        raise BadUserInput(
            f"{len(prepared.errors)} of {len(prepared.rows) + len(prepared.errors)} rows are "
            f"invalid; row {first['row']}: {first['message']}",
            errors=prepared.errors[:ERRORS_SHOWN],
        )

    if upload is not None:
        expected_total: int | None = upload.rows
    else:
        expected_total = None if prepared.filter is not None else len(prepared.rows)
    action_id = PydanticObjectId()
    action = BulkAction(
        id=action_id,
        account_id=principal.account_id,
        entity_type=entity.name,
        action_type=spec.name,
        status=BulkActionStatus.SCHEDULED
        if scheduled_at and scheduled_at > utcnow()
        else BulkActionStatus.QUEUED,
        scheduled_at=scheduled_at,
        idempotency_key=key,
        fields=prepared.fields,
        operations=prepared.operations,
        filter=prepared.filter,
        export_columns=prepared.columns,
        field_set=field_set,
        match_by=rules.match_by,
        empty_values="CLEAR" if rules.clear_empty else "SKIP",
        existing_values="KEEP" if rules.keep_existing else "OVERWRITE",
        decimal_mark="COMMA" if rules.decimal_comma else "POINT",
        date_order=rules.date_order,
        dry_run=request.dry_run,
        dripped=pace is not None,
        created_by_user=principal.user_id,
        created_by_key=principal.api_key_id,
        upload_id=request.upload_id,
        columns=columns,
        expected_total=expected_total,
    )
    claim_id = key_claim(principal, key) if key is not None else None
    if claim_id is not None and (
        earlier := await idempotency.claim(principal, claim_id, action_id, asked)
    ):
        return earlier  # a concurrent create with the same key stored its action first
    try:
        await store(action, prepared.rows, pace)
        taken_over = claim_id is not None and not await idempotency.still_held(claim_id, action_id)
        if not taken_over:
            await send_planner(str(action.id), scheduled_at)
            await publish_change(action.id, action.account_id)
    except BaseException:
        await discard(action)
        raise
    finally:
        if claim_id is not None:
            await idempotency.done(claim_id)
    if taken_over:
        # Taken over while this create was too slow: the other create's action stands.
        await discard(action)
        assert claim_id is not None
        if (earlier := await idempotency.holder(principal, claim_id, asked)) is not None:
            return earlier
        raise BadUserInput("The idempotencyKey is being used by another create; retry.")
    await audit.record(principal, AuditKind.ACTION_CREATED, action_id=action.id)
    return action


def fingerprint(request: CreateRequest, upload: StoredUpload | None) -> str:
    """A digest of what a create asks, which a repeat with its idempotencyKey must ask too.
    An upload counts by its size and rows, not its id: a retried multipart create sends its
    file again, as a new upload."""
    asked = asdict(request)
    del asked["idempotency_key"]
    asked["upload_id"] = None if upload is None else [upload.bytes, upload.rows]
    text = json.dumps(asked, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# The unknown columns a refusal names (the count says how many more): a header may hold
# hundreds of thousands.
LISTED_NAMES = 20


def resolve_columns(
    spec: ActionSpec, entity: EntitySpec, rules: ImportRules, header: list[str], column_map: Any
) -> list[str | None]:
    """The field each CSV column fills. `columnMap` maps header names to fields (a null value
    ignores the column); other headers must be fields themselves. An `id` column is ignored
    by actions that do not name targets by id, so an exported file imports as it is, and a
    column without a name (a sheet's stray empty columns) by every action."""
    if column_map is None:
        column_map = {}
    if not isinstance(column_map, dict) or not all(
        isinstance(v, str | None) for v in column_map.values()
    ):
        raise BadUserInput("`columnMap` must be an object of CSV header → field name (or null).")
    if unknown_keys := set(column_map) - set(header):
        raise BadUserInput(f"`columnMap` names columns the file lacks: {sorted(unknown_keys)}.")
    allowed, required = spec.columns(entity, rules)
    by_spelling = {spelling(name): name for name in allowed}
    by_letters = spelt_alike(allowed)
    by_alias = {
        letters(alias): field
        for field, aliases in entity.aliases.items()
        if field in allowed
        for alias in aliases
    }
    columns = [
        column_map[name]
        if name in column_map
        else name
        if name in allowed
        else by_spelling.get(spelling(name))
        or by_letters.get(letters(name))
        or by_alias.get(letters(name), name)
        if name.strip()
        else None
        for name in header
    ]
    if "id" not in allowed:
        columns = [None if name == "id" else name for name in columns]
    if bad := sorted({name for name in columns if name is not None and name not in allowed}):
        shown = bad[:LISTED_NAMES]
        more = f" and {len(bad) - len(shown):,} more" if len(bad) > len(shown) else ""
        raise BadUserInput(
            f"The CSV names unknown columns for {spec.name} {entity.name}: {shown}{more}; "
            f"allowed: {sorted(allowed)}.",
            columns=shown,
            unknownColumns=len(bad),
        )
    filled = Counter(name for name in columns if name is not None)
    if repeated := [name for name, times in filled.items() if times > 1]:
        raise BadUserInput(f"The CSV fills these fields twice: {sorted(repeated)}.")
    if missing := required - set(columns):
        raise BadUserInput(f"The CSV needs the columns {sorted(missing)} for {spec.name}.")
    return columns


def spelling(name: str) -> str:
    """A column's name as a field's is spelt: "First Name" and "job-title" name first_name
    and job_title (lower case, spaces and hyphens as underscores)."""
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def letters(name: str) -> str:
    """A name without its separators: "E-mail", "FirstName" and "Job Title" as email,
    firstname and jobtitle."""
    return re.sub(r"[\s_-]+", "", name.lower())


def spelt_alike(allowed: set[str]) -> dict[str, str]:
    """The fields by their `letters`, where no two share them (those a header names only
    by their spelling)."""
    found = Counter(letters(name) for name in allowed)
    return {letters(name): name for name in allowed if found[letters(name)] == 1}


async def store(action: BulkAction, rows: list[Row], pace: Pace | None = None) -> None:
    """Stores the action's input and pace, then the action: found, it has both."""
    await inputs.store(saved_id(action), rows)
    if pace is not None:
        await drips.set_pace(saved_id(action), action.account_id, pace)
    await stored_actions.insert(action)


async def discard(action: BulkAction) -> None:
    """Removes what a failed create stored: its input, its action, its claim on the key."""
    action_id = saved_id(action)
    await inputs.delete(action_id)
    await stored_actions.delete(action_id)
    await drips.forget([action_id])
    if action.idempotency_key is not None:
        claim_id = IdempotencyKey.id_for(action.account_id, action.idempotency_key)
        await idempotency.release(claim_id, action_id)
