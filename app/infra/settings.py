"""Settings read from the environment (and an optional .env file)."""

from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    mongodb_url: str = "mongodb://127.0.0.1:27017/"
    mongodb_db: str = "bulk_actions"
    # Connections a process opens to the database at most: bounds the operations it has
    # under way at once, whatever the load, so no process can exhaust the server's pool;
    # more callers wait for a free connection.
    mongodb_max_connections: int = Field(default=16, ge=1, le=500)
    # How long an operation waits for a reachable server before SERVICE_UNAVAILABLE.
    mongodb_timeout_ms: int = Field(default=3000, ge=100)
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Connections a process opens to Redis at most; more callers wait up to the timeout.
    redis_max_connections: int = Field(default=50, ge=2)
    redis_pool_timeout_seconds: float = Field(default=20, gt=0)
    redis_connect_timeout_seconds: float = Field(default=2, gt=0)
    # Prefix of Dramatiq's Redis keys, so several deployments (or test runs) share one Redis.
    queue_namespace: str = "bulk-actions"

    # Signs tokens (HS256). The default is for local development only, where scripts/dev and
    # bulk-actions-token share it; 32 bytes at least, as RFC 7518 asks of an HS256 key.
    jwt_secret: str = Field(default="dev-secret-change-me-not-for-production", min_length=32)
    jwt_algorithm: str = "HS256"
    # Tokens from an identity provider (docs/identity.md): its keys (fetched and cached; a
    # token naming an unknown key id refetches them, at most once a minute), the issuer and
    # audience its tokens must carry, the algorithms accepted (HS256 checks JWT_SECRET: keep
    # it for development only), and the claims that name the account, the user and the scopes.
    auth_jwks_url: str | None = None
    auth_issuer: str | None = None
    auth_audience: str | None = None
    auth_algorithms: list[str] = Field(default_factory=lambda: ["HS256", "RS256", "ES256"])
    auth_account_claim: str = "sub"
    auth_user_claim: str = "sub"
    auth_scopes_claim: str = "scope"

    chunk_size: int = Field(default=1000, ge=1, le=10_000)
    chunk_max_retries: int = Field(default=5, ge=0)
    chunk_min_backoff_ms: int = Field(default=1000, ge=0)
    chunk_max_backoff_ms: int = Field(default=60_000, ge=0)
    chunk_time_limit_ms: int = Field(default=10 * 60_000, ge=1000)
    # Work that finds the database or Redis down comes back every few seconds without
    # spending a retry, for this long after it first found it down; then it spends its
    # retries as any failure does (and a chunk's rows are logged FAILED if they run out).
    outage_patience_seconds: int = Field(default=15 * 60, ge=0)

    # Both below 2^24: a row's planned entity id holds its number in three bytes.
    max_inline_records: int = Field(default=10_000, ge=1, le=16_000_000)
    # Days after an action ends during which it can be restored (undone) or retried; its
    # chunks' decisions (its before-images), stored rows and upload are deleted after that.
    restore_retention_days: float = Field(default=30, gt=0)
    # Audit events are kept this long (whatever happens to the actions they name).
    audit_retention_days: float = Field(default=365, gt=0)
    # Logs are kept this long after they are written (a TTL index; the sweeper on FerretDB).
    # No shorter than RESTORE_RETENTION_DAYS: an INSERT is restored from its logs.
    log_retention_days: float = Field(default=90, gt=0)
    # An upload no action used within this long is deleted.
    upload_retention_hours: float = Field(default=24, gt=0)
    # How often the sweeper deletes what retention lets go (in bounded batches).
    retention_sweep_seconds: float = Field(default=300, gt=0)
    max_upload_bytes: int = Field(default=200 * 1024 * 1024, ge=1)
    max_upload_rows: int = Field(default=1_000_000, ge=1, le=16_000_000)
    # An upload taking longer is refused and nothing of it kept; what one that died left is
    # deleted by retention this long (and a grace) after it started.
    max_upload_seconds: float = Field(default=3600, gt=0)
    # An upload whose database goes down waits this long for it to come back (within its
    # MAX_UPLOAD_SECONDS), holding the client, before it is refused SERVICE_UNAVAILABLE.
    upload_outage_patience_seconds: float = Field(default=60, ge=0)
    # A download (logs.csv, export.csv) whose database goes down mid-way waits this long for
    # it to come back, then goes on where it was; past it the download is cut short.
    download_outage_patience_seconds: float = Field(default=60, ge=0)
    # Per-account pacing: entities per rolling minute, unless the account has its own limit.
    rate_limit_per_minute: int = Field(default=10_000, ge=1)
    # How long past the minute a charge stays counted: a safety margin for the bound.
    rate_limit_margin_ms: int = Field(default=1000, ge=0)
    # How long a worker trusts its cached copy of an account's limit.
    rate_limit_cache_seconds: float = Field(default=5.0, ge=0)
    # GraphQL and HTTP requests per account per rolling minute.
    api_rate_limit_per_minute: int = Field(default=1200, ge=1)
    # Chunks of one action queued or running at a time: bounds what another account's work
    # waits behind in the queue.
    chunks_in_flight: int = Field(default=8, ge=1)
    # Chunks are planned no larger than this share of the account's limit, so that a minute
    # holds several of them and pacing stays smooth.
    chunks_per_window: int = Field(default=10, ge=1)

    # A worker process silent this long is taken for dead, and the messages it held are
    # queued again for the others (each live process beats every fifth of it).
    worker_dead_after_seconds: int = Field(default=15, ge=3)
    # An idle worker looks for messages at least this often (Dramatiq's worker timeout). It
    # takes a message when its queue's doorbell rings or when it is due (workers.promptness):
    # this bounds only how late a message whose ring was lost is taken.
    worker_poll_ms: int = Field(default=1000, ge=10, le=5000)
    # The worker processes' nice value (workers.process.priority): batch work yields the CPU to the
    # API and the database on a machine it shares with them.
    worker_niceness: int = Field(default=10, ge=0, le=19)

    # The sweeper starts due scheduled actions and restarts stalled ones.
    sweep_interval_seconds: float = Field(default=2.0, gt=0)
    # An action shows no sign of life for this long before the sweeper restarts it.
    stall_seconds: int = Field(default=120, ge=5)

    # Operations (subscriptions included) one WebSocket may run at once.
    max_subscriptions_per_connection: int = Field(default=20, ge=1)

    # What one GraphQL request may ask: beyond these it is refused with QUERY_TOO_COMPLEX
    # (HTTP 400) before any work. Large inputs belong in variables or a CSV upload.
    graphql_max_depth: int = Field(default=12, ge=2)
    graphql_max_aliases: int = Field(default=20, ge=0)
    graphql_max_tokens: int = Field(default=50_000, ge=100)
    graphql_max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    # List nodes one request may read, summed over its connections (`first` each).
    graphql_max_nodes: int = Field(default=5_000, ge=1)
    # Introspection (and so GraphiQL's docs) can be turned off in production.
    graphql_introspection: bool = True

    # Webhooks: URLs must be https and resolve to public addresses, except on these hosts
    # (comma-separated; local development and tests list 127.0.0.1, which may then use http).
    webhook_allow_hosts: str = ""
    webhook_timeout_seconds: float = Field(default=5, gt=0)
    webhook_max_response_bytes: int = Field(default=64 * 1024, ge=0)
    # Failed deliveries are retried with exponential backoff between these, for this long.
    webhook_min_backoff_ms: int = Field(default=10_000, ge=1)
    webhook_max_backoff_ms: int = Field(default=3_600_000, ge=1)
    webhook_retry_hours: float = Field(default=24, gt=0)

    # Origins (comma-separated) whose browser pages may call the API: CORS, none by default.
    cors_origins: str = ""

    # Log lines as text, or one JSON object per line ("json") with action, chunk and account.
    log_format: Literal["text", "json"] = "text"

    # How large a filter may be (countEntities, entities, createBulkAction): values in one
    # condition's list, characters of one value, conditions and `any` groups in the filter.
    filter_max_values: int = Field(default=1000, ge=1)
    filter_max_value_length: int = Field(default=1000, ge=1)
    filter_max_conditions: int = Field(default=200, ge=1)
    filter_max_groups: int = Field(default=50, ge=1)
    # Database time one API query (a count, a page of entities) may take before it is
    # stopped and the request refused with QUERY_TOO_COMPLEX.
    query_max_time_ms: int = Field(default=30_000, ge=100)

    page_size_default: int = Field(default=50, ge=1)
    page_size_max: int = Field(default=1000, ge=1)

    @model_validator(mode="after")
    def logs_outlive_the_restore_window(self) -> "Settings":
        """A restore of an INSERT reads its logs: they must be there for the whole window."""
        if self.log_retention_days < self.restore_retention_days:
            raise ValueError(
                f"LOG_RETENTION_DAYS ({self.log_retention_days:g}) must be at least"
                f" RESTORE_RETENTION_DAYS ({self.restore_retention_days:g}): an INSERT is"
                " restored from its logs."
            )
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
