"""retryBulkAction: run again only the rows of an ended action that failed (or had another
outcome status), as they were or corrected, without sending the rest again.

The retry is a new action of the same type with the same shared fields and operations. Its
rows are the original's rows of that status, in row order and numbered from 1, each naming
its `source_row`. A row comes from the original's stored rows, or from a correction keyed by
its original row: `records` (`{row, ...fields}`) or a CSV upload with a `row` column (the
failed rows' logs.csv, edited, as it is). Corrections are validated whole before anything is
stored, as a create's input is.
"""

from contextlib import aclosing
from typing import Any, cast

from app.domain.access import AuditKind
from app.domain.actions import ActionSpec, actions, rules_of
from app.domain.actions._base import DEFAULT_RULES
from app.domain.actions._inputs import CsvRows, row_with_id
from app.domain.entities import EntitySpec
from app.domain.entities._base import InvalidRecord
from app.domain.errors import BadUserInput
from app.domain.models import TERMINAL_STATUSES, BulkAction, LogStatus, WorkingData
from app.domain.principal import Principal
from app.domain.rows import Row, RowBody
from app.infra.files import uploads
from app.infra.files.chunk_rows import ActionRows
from app.infra.files.csv_records import header_of, records
from app.infra.mongo.accounts import custom_fields
from app.usecases.creation import ERRORS_SHOWN, resolve_columns
from app.usecases.follow_ups import launch, same_work
from app.usecases.reading.logs import LOG_CSV_COLUMNS, iter_logs
from app.usecases.reading.queries import get_action

# A row's number, and what planning adds to it, which the retry's own planning decides again.
PLANNED_MARKS = ("row", "dup", "new_id", "source_row")


def body_of(row: Row) -> RowBody:
    return cast(RowBody, {name: value for name, value in row.items() if name not in PLANNED_MARKS})


async def retry_bulk_action(
    principal: Principal,
    action_id: str,
    status: LogStatus = LogStatus.FAILED,
    patch: list[Any] | None = None,
    upload_id: str | None = None,
) -> BulkAction:
    original = await get_action(principal, action_id)
    if original.status not in TERMINAL_STATUSES:
        raise BadUserInput(f"The action is {original.status}: only an ended action is retried.")
    if original.working_data is WorkingData.DELETED:
        raise BadUserInput(
            "The action's rows are no longer kept (RESTORE_RETENTION_DAYS after it ended): it "
            "cannot be retried; create a new action instead."
        )
    if original.dry_run:
        raise BadUserInput("A dry run wrote nothing: run it for real (runBulkAction) instead.")
    if patch is not None and upload_id is not None:
        raise BadUserInput("Give corrections as `records` or as `uploadId`, not both.")
    wanted = [log.row async for log in iter_logs(principal, action_id, status)]
    if not wanted:
        raise BadUserInput(f"The action has no {status} rows to retry.")
    spec, entity = actions.get(original.action_type), await custom_fields.entity_of(original)
    if upload_id is not None:
        corrected = await upload_corrections(principal, spec, entity, original, upload_id)
    else:
        corrected = record_corrections(spec, entity, original, patch or [])
    if stray := sorted(set(corrected) - set(wanted)):
        raise BadUserInput(
            f"Corrections name rows that are not {status} rows of the action: {stray[:20]}."
        )
    kept = await stored_rows(original, set(wanted) - set(corrected))
    rows: list[Row] = [
        {**(corrected.get(source) or kept[source]), "row": number, "source_row": source}
        for number, source in enumerate(wanted, start=1)
    ]
    retry = same_work(original, retry_of=original.id)
    return await launch(principal, retry, rows=rows, kind=AuditKind.ACTION_RETRIED, source=original)


async def stored_rows(action: BulkAction, wanted: set[int]) -> dict[int, RowBody]:
    """The action's rows among `wanted` as planning made them (without its marks)."""
    stored = ActionRows(action)
    found = {number: body_of(row) for number in sorted(wanted) if (row := await stored.row(number))}
    if missing := sorted(wanted - set(found)):
        raise BadUserInput(f"The input of rows {missing[:20]} is no longer kept: correct them.")
    return found


def correction(spec: ActionSpec, entity: EntitySpec, original: BulkAction, record: Any) -> RowBody:
    """One corrected row. Targets named by id with shared fields take only a new `id`."""
    if original.fields is not None or original.operations:
        return row_with_id(entity, record, DEFAULT_RULES, with_fields=False)
    return spec.record_row(entity, record, rules_of(original))


def record_corrections(
    spec: ActionSpec, entity: EntitySpec, original: BulkAction, patch: list[Any]
) -> dict[int, RowBody]:
    corrected: dict[int, RowBody] = {}
    errors: list[dict[str, Any]] = []
    for index, record in enumerate(patch, start=1):
        source = record.get("row") if isinstance(record, dict) else None
        if not isinstance(source, int) or isinstance(source, bool):
            errors.append({"row": index, "message": "A correction needs `row`: its original row."})
            continue
        try:
            fields = {name: value for name, value in record.items() if name != "row"}
            corrected[source] = correction(spec, entity, original, fields)
        except InvalidRecord as exc:
            errors.append({"row": source, "message": str(exc)})
    refuse_errors(errors, len(patch))
    return corrected


async def upload_corrections(
    principal: Principal, spec: ActionSpec, entity: EntitySpec, original: BulkAction, upload_id: str
) -> dict[int, RowBody]:
    """Corrections from a CSV with a `row` column; the failed rows' logs.csv as it is (its log
    columns, which lead its header, are ignored)."""
    upload = await uploads.find(principal.account_id, upload_id)
    header = await header_of(uploads.read(upload.id))
    if tuple(header[: len(LOG_CSV_COLUMNS)]) == LOG_CSV_COLUMNS:
        header = ["row", *[""] * (len(LOG_CSV_COLUMNS) - 1), *header[len(LOG_CSV_COLUMNS) :]]
    if "row" not in header:
        raise BadUserInput(
            "The corrected CSV needs a `row` column naming each row's original row "
            "(logs.csv?status=FAILED has it)."
        )
    at = header.index("row")
    inputs = [(position, name) for position, name in enumerate(header) if name and name != "row"]
    fields = resolve_columns(spec, entity, rules_of(original), [name for _, name in inputs], None)
    columns: list[str | None] = [None] * len(header)
    for (position, _), field in zip(inputs, fields, strict=True):
        columns[position] = field
    read_row = CsvRows(spec, entity, rules_of(original), columns)
    corrected: dict[int, RowBody] = {}
    errors: list[dict[str, Any]] = []
    count = 0
    async with aclosing(records(uploads.read_spooled(upload.id))) as found:
        async for record in found:
            count += 1
            values = record.values or []
            source = values[at].strip() if at < len(values) else ""
            if not source.isdigit():
                errors.append({"row": record.number, "message": "`row` must be a row number."})
                continue
            row = read_row(int(source), values)
            if "invalid" in row:
                errors.append({"row": int(source), "message": row["invalid"]})
            else:
                corrected[int(source)] = body_of(row)
    refuse_errors(errors, count)
    return corrected


def refuse_errors(errors: list[dict[str, Any]], count: int) -> None:
    if errors:
        first = errors[0]
        raise BadUserInput(
            f"{len(errors)} of {count} corrections are invalid; row {first['row']}: "
            f"{first['message']}",
            errors=errors[:ERRORS_SHOWN],
        )
