"""GET /metrics: Prometheus's text format, for every process of the platform (see
app.infra.metrics), with what is worked out at scrape time."""

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from starlette.requests import Request
from starlette.responses import Response

from app.infra import metrics
from app.usecases import monitoring
from app.usecases.live import hub


async def computed() -> list[Metric]:
    active = GaugeMetricFamily(
        "bulk_actions_active",
        "Actions not ended yet, by status and action type.",
        labels=["status", "action_type"],
    )
    for (status, action_type), count in sorted((await monitoring.active_actions()).items()):
        active.add_metric([status, action_type], count)
    queued = GaugeMetricFamily(
        "bulk_queue_messages", "Messages waiting in the work queue, by kind.", labels=["kind"]
    )
    for kind, count in (await monitoring.queued_messages()).items():
        queued.add_metric([kind], count)
    watchers = GaugeMetricFamily(
        "bulk_live_subscribers", "Subscriptions to live progress open on this API process."
    )
    watchers.add_metric([], hub.counts()["watchers"])
    return [active, queued, watchers]


async def scrape(_: Request) -> Response:
    return Response(metrics.exposition(await computed()), media_type=metrics.CONTENT_TYPE)
