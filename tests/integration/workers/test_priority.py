"""The worker processes run below the API's CPU priority (WORKER_NICENESS, default 10): every
thread of each, the event loop that runs the chunks too, and their session's share of the CPU
(Dramatiq's main process leads the session, as scripts/dev starts it)."""

from app.infra.settings import get_settings
from tests.integration.conftest import Workers
from tests.support.polling import until
from tests.support.processes import children, thread_niceness
from workers.process.priority import autogroup_niceness


async def test_every_worker_thread_runs_at_the_workers_niceness(
    workers: Workers, api_url: str
) -> None:
    wanted = get_settings().worker_niceness
    assert wanted == 10  # the default: the run's settings leave it
    assert workers.process is not None

    async def lowered() -> dict[int, set[int]] | None:
        assert workers.process is not None
        found = {pid: set(thread_niceness(pid).values()) for pid in children(workers.process.pid)}
        return found if len(found) == 2 and all(v == {wanted} for v in found.values()) else None

    processes = await until(lowered, "both worker processes lowered, every thread")
    # A booted worker has its event loop, consumers and worker threads: all of them lowered.
    assert all(len(thread_niceness(pid)) > 4 for pid in processes)
    assert {autogroup_niceness(pid) for pid in processes} == {wanted}
