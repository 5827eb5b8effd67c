"""Every Redis key and channel name the platform uses, in one place.

All of them start with `QUEUE_NAMESPACE`, as Dramatiq's own keys do, so several deployments
(or test runs) can share one Redis without seeing each other's state.
"""

from app.infra.settings import get_settings


def namespace() -> str:
    return get_settings().queue_namespace


def events_channel() -> str:
    """Pub/sub channel of "action changed" signals (app.infra.redis.events)."""
    return f"{namespace()}:events"


def doorbell() -> str:
    """Pub/sub channel on which every message queued rings, naming its queue (Dramatiq's
    Redis list): idle workers wait for it (app.infra.redis.tasks, workers.promptness)."""
    return f"{namespace()}:doorbell"


def alive(action_id: str) -> str:
    """Expiring sign of life of a running action (app.infra.redis.liveness)."""
    return f"{namespace()}:alive:{action_id}"


def waiting(action_id: str) -> str:
    """Hash of an action's chunks held back by the rate limit (app.infra.redis.waiting)."""
    return f"{namespace()}:waiting:{action_id}"


def seen_keys(action_id: str, bucket: int) -> str:
    """One bucket (a small hash) of the unique keys planning has seen in an action's input
    (app.infra.redis.dedupe); the action's buckets share a hash tag, so one script reaches them
    on a cluster too. dedupe_claim.lua names buckets the same way, from `seen_keys_prefix`:
    the prefix, then the bucket's number in lowercase hex."""
    return f"{seen_keys_prefix(action_id)}{bucket:x}"


def seen_buckets(action_id: str) -> str:
    """Set of the `seen_keys` buckets an action's planning made (their numbers in hex), so
    that forgetting them unlinks those alone; in their slot (the same hash tag)."""
    return f"{seen_keys_prefix(action_id)}made"


def seen_keys_prefix(action_id: str) -> str:
    """What the names of an action's `seen_keys` buckets start with (a chunk names a
    thousand of them)."""
    return f"{namespace()}:dedupe:{{{action_id}}}:"


def chunk_sent(chunk_id: str) -> str:
    """Mark of a chunk sent by its chain (app.engine.completion): it is sent once."""
    return f"{namespace()}:sent:{chunk_id}"


def planned_through(action_id: str) -> str:
    """The last chunk planning has written of an action (app.infra.redis.mirrors). It,
    `chain_ends` and `chunk_count` share the action's hash tag: one command or script reads
    them together, on a cluster too."""
    return f"{namespace()}:planned:{{{action_id}}}"


def chain_ends(action_id: str) -> str:
    """The chunks of an action that found their chain ended (app.infra.redis.mirrors)."""
    return f"{namespace()}:chain-ends:{{{action_id}}}"


def chunk_count(action_id: str) -> str:
    """An action's chunk count, once planning set it (app.infra.redis.mirrors)."""
    return f"{namespace()}:chunk-count:{{{action_id}}}"


def control_request(action_id: str) -> str:
    """The owner's request for an action, mirrored (app.infra.redis.mirrors)."""
    return f"{namespace()}:control:{action_id}"


def planning_lease(action_id: str) -> str:
    """Lease held by the one planner at work on an action."""
    return f"{namespace()}:planning:{action_id}"


def drip_gate(action_id: str) -> str:
    """Lease held by the one chunk of a drip action being given its batch (app.engine.
    dripping)."""
    return f"{namespace()}:drip:{action_id}"


def create_claim(claim_id: str) -> str:
    """Lease held by the create at work under an idempotency claim, while its process lives
    (app.usecases.idempotency)."""
    return f"{namespace()}:claim:{claim_id}"


def sweeper_lease() -> str:
    """Lease that lets one worker process sweep per interval."""
    return f"{namespace()}:sweeper"


def announcing_lease() -> str:
    """Lease of the sweeper's look for missed webhook announcements: once per interval."""
    return f"{namespace()}:announcing"


def retention_lease() -> str:
    """Lease that lets one worker process delete what retention lets go, per interval
    (app.engine.retention)."""
    return f"{namespace()}:sweeper:retention"


def entity_rate_prefix() -> str:
    """Prefix of the per-account sliding-window logs of entities processed."""
    return f"{namespace()}:rate:entities"


def request_rate_prefix() -> str:
    """Prefix of the per-account sliding-window logs of API requests."""
    return f"{namespace()}:rate:requests"


def queue(name: str) -> str:
    """Dramatiq's list of a queue's ready messages (named by its Redis broker)."""
    return f"{namespace()}:{name}"


def delayed_queue(name: str) -> str:
    """Dramatiq's list of a queue's delayed messages."""
    return f"{namespace()}:{name}.DQ"


def worker_heartbeats(of_namespace: str | None = None) -> str:
    """Dramatiq's sorted set of live worker processes (its Redis broker's heartbeats)."""
    return f"{of_namespace or namespace()}:__heartbeats__"
