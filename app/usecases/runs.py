"""runBulkAction: the real action of a finished dry run, made from the same input."""

from app.domain.access import AuditKind
from app.domain.errors import BadUserInput
from app.domain.models import BulkAction, BulkActionStatus, WorkingData
from app.domain.models.ids import saved_id
from app.domain.principal import Principal
from app.infra.mongo import drips
from app.usecases.follow_ups import launch, once_name, same_work
from app.usecases.reading.queries import get_action


async def run_dry_run(principal: Principal, action_id: str) -> BulkAction:
    """The real action of a finished dry run, from its stored rows or its upload; asked
    again, the same action. Its outcomes may differ from the forecast if the data changed
    in between."""
    dry = await get_action(principal, action_id)
    if not dry.dry_run:
        raise BadUserInput(f"Bulk action {action_id!r} is not a dry run.")
    if dry.status not in (BulkActionStatus.COMPLETED, BulkActionStatus.COMPLETED_WITH_ERRORS):
        raise BadUserInput(
            f"The dry run is {dry.status}: only a completed dry run can be run for real."
        )
    if dry.working_data is WorkingData.DELETED:
        raise BadUserInput(
            "The dry run's input is no longer kept (RESTORE_RETENTION_DAYS after it ended): "
            "create the action again."
        )
    # Its drip comes along: the dry run's estimate was made for it.
    pace = await drips.pace_of(saved_id(dry)) if dry.dripped else None
    action = same_work(
        dry,
        filter=dry.filter,
        upload_id=dry.upload_id,
        columns=dry.columns,
        run_of=dry.id,
        dripped=pace is not None,
    )
    return await launch(
        principal,
        action,
        input_of=dry,
        once=once_name("run", dry),
        pace=pace,
        kind=AuditKind.ACTION_RUN,
        source=dry,
    )
