"""GET /metrics: Prometheus's text format, for every process of the platform (see
app.infra.metrics), with what is worked out at scrape time."""

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from starlette.requests import Request
from starlette.responses import Response

from app.infra import metrics
from app.usecases.reading import monitoring


async def computed() -> list[Metric]:
    active = GaugeMetricFamily(
        "bulk_actions_active",
        "Actions not ended yet, by status and action type.",
        labels=["status", "action_type"],
    )
    found = await monitoring.active_actions()
    for (status, action_type), count in sorted(found.by_status_and_type.items()):
        active.add_metric([status, action_type], count)
    waiting = GaugeMetricFamily(
        "bulk_rate_limit_waiting",
        "Rows and chunks waiting for their booked time under their account's rate limit "
        "(all accounts together).",
        labels=["unit"],
    )
    waiting.add_metric(["rows"], found.waiting_rows)
    waiting.add_metric(["chunks"], found.waiting_chunks)
    dripping = GaugeMetricFamily(
        "bulk_drip_actions_waiting",
        "Drip actions waiting for their next batch (their window closed or their interval "
        "not run out).",
    )
    dripping.add_metric([], found.waiting_for_drip)
    queued = GaugeMetricFamily(
        "bulk_queue_messages", "Messages waiting in the work queue, by kind.", labels=["kind"]
    )
    for kind, count in (await monitoring.queued_messages()).items():
        queued.add_metric([kind], count)
    return [active, waiting, dripping, queued]


async def scrape(_: Request) -> Response:
    return Response(metrics.exposition(await computed()), media_type=metrics.CONTENT_TYPE)
