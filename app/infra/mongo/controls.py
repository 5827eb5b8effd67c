"""The controls store: what each action's owner asked for (app.domain.models.action_control),
written only by the API, read by the workers before each chunk: through a mirror in Redis
(app.infra.redis.mirrors), which every write here updates after the record."""

from collections.abc import Sequence

from beanie import PydanticObjectId

from app.domain.clock import utcnow
from app.domain.models.action_control import ActionControl
from app.domain.status import ControlRequest
from app.infra.redis import mirrors


async def request_of(action_id: PydanticObjectId) -> ControlRequest:
    """The owner's request in force for the action (RUN when none was made): the mirror's,
    else the record's, put back in the mirror."""
    if (mirrored := await mirrors.mirrored_request(str(action_id))) is not None:
        return mirrored
    control = await ActionControl.get(action_id)
    request = control.request if control is not None else ControlRequest.RUN
    await mirrors.put_back_request(str(action_id), request)
    return request


async def requests_of(
    action_ids: Sequence[PydanticObjectId],
) -> dict[PydanticObjectId, ControlRequest]:
    """The requests in force for several actions: the mirror's, else the records' (one
    query for those the mirror lacks), put back in the mirror."""
    mirrored = await mirrors.mirrored_requests([str(action_id) for action_id in action_ids])
    requests = {
        action_id: request
        for action_id, request in zip(action_ids, mirrored, strict=True)
        if request is not None
    }
    if missing := [action_id for action_id in action_ids if action_id not in requests]:
        found = (
            await ActionControl.get_pymongo_collection()
            .find({"_id": {"$in": missing}}, {"request": 1})
            .to_list()
        )
        made = {doc["_id"]: ControlRequest(doc["request"]) for doc in found}
        read = {action_id: made.get(action_id, ControlRequest.RUN) for action_id in missing}
        await mirrors.put_back_requests({str(key): value for key, value in read.items()})
        requests.update(read)
    return requests


async def paused() -> set[PydanticObjectId]:
    """The actions whose owner asked for a pause that is still in force."""
    cursor = ActionControl.get_pymongo_collection().find(
        {"request": str(ControlRequest.PAUSE)}, {"_id": 1}
    )
    return {doc["_id"] async for doc in cursor}


async def with_request(account_id: str, request: ControlRequest) -> list[PydanticObjectId]:
    """The account's actions with this request in force."""
    cursor = ActionControl.get_pymongo_collection().find(
        {"account_id": account_id, "request": str(request)}, {"_id": 1}
    )
    return [doc["_id"] async for doc in cursor]


async def set_request(
    action_id: PydanticObjectId, account_id: str, request: ControlRequest
) -> None:
    await ActionControl(
        id=action_id, account_id=account_id, request=request, updated_at=utcnow()
    ).save()
    await mirrors.mirror_request(str(action_id), request)
