"""The API process: GraphQL (with GraphiQL) and health checks on Starlette."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from app.infra import log_lines
from app.infra.mongo import db
from app.infra.redis import client as redis
from app.infra.redis import lease
from app.infra.settings import get_settings
from app.usecases.reading.live import hub
from graphql_schema.schema import schema
from server import dashboard, graphiql, metrics, rest
from server.graphql_http import GraphQLApp
from server.upload_guard import UploadGuard

logger = logging.getLogger(__name__)


async def live(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok", "live": hub.counts()})


async def ready(_: Request) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        await db.ping()
        checks["mongodb"] = "ok"
    except Exception as exc:
        checks["mongodb"] = f"error: {type(exc).__name__}"
    try:
        await redis.get_redis().ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"error: {type(exc).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "unavailable", **checks},
        status_code=200 if healthy else 503,
    )


async def keep_leases() -> None:
    """Renews the leases this process keeps (the idempotency claims of creates at work), so
    they last as long as it lives and lapse soon after it dies."""
    while True:
        await asyncio.sleep(lease.kept_ms() / 5000)
        try:
            await lease.renew_kept()
        except Exception:  # Redis down: the next round tries again
            logger.warning("could not renew this process's leases", exc_info=True)


@asynccontextmanager
async def lifespan(_: Starlette) -> AsyncIterator[None]:
    log_lines.configure()
    await db.connect()
    renewing = asyncio.create_task(keep_leases())
    yield
    renewing.cancel()
    await hub.close()
    await redis.close()
    await db.close()


def create_app() -> Starlette:
    graphql = GraphQLApp(
        schema,
        graphql_ide="graphiql",
        multipart_uploads_enabled=True,
        max_subscriptions_per_connection=get_settings().max_subscriptions_per_connection,
    )
    return Starlette(
        routes=[
            Route("/", dashboard.home),
            Route("/dashboard", dashboard.page),
            Route("/dashboard/{name}", dashboard.page),
            Route("/graphiql/{name}", graphiql.asset),
            Route("/health/live", live),
            Route("/health/ready", ready),
            Route("/metrics", metrics.scrape),
            Route("/graphql", graphql),  # every method: a wrong one gets a JSON 405
            WebSocketRoute("/graphql", graphql),
            Route("/uploads", rest.create_upload, methods=["POST"]),
            Route("/bulk-actions/{action_id}/logs.csv", rest.export_logs, methods=["GET"]),
            Route("/bulk-actions/{action_id}/export.csv", rest.export_file, methods=["GET"]),
        ],
        middleware=[Middleware(UploadGuard), *cors()],
        lifespan=lifespan,
    )


def cors() -> list[Middleware]:
    """Browser tools on other origins (Apollo Sandbox, Altair) may call the API when
    CORS_ORIGINS lists their origin; none may by default."""
    origins = [origin.strip() for origin in get_settings().cors_origins.split(",") if origin]
    if not origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["authorization", "content-type", "accept"],
            max_age=600,
        )
    ]
