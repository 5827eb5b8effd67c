"""runBulkAction: the real action of a finished dry run, made from the same input."""

from beanie import PydanticObjectId

from app.domain.errors import BadUserInput
from app.domain.models import BulkAction, BulkActionStatus, WorkingData
from app.domain.principal import Principal
from app.usecases.follow_ups import launch, once_name
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
    action = BulkAction(
        id=PydanticObjectId(),
        account_id=dry.account_id,
        entity_type=dry.entity_type,
        action_type=dry.action_type,
        fields=dry.fields,
        operations=dry.operations,
        filter=dry.filter,
        export_columns=dry.export_columns,
        upload_id=dry.upload_id,
        columns=dry.columns,
        run_of=dry.id,
    )
    return await launch(principal, action, input_of=dry, once=once_name("run", dry))
