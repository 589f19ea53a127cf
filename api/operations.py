"""For operators: ``/health`` and Prometheus ``/metrics``."""

from __future__ import annotations

from typing import Annotated

import orjson
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.responses import Response

from api import routing
from api.deps import wired
from infra.health import Health

router = routing.router(tags=["health"])


HEALTH_BODY = {"application/json": {"schema": {"type": "object", "additionalProperties": True}}}


@router.get(
    "/health",
    responses={
        200: {"description": "Healthy", "content": HEALTH_BODY},
        503: {"description": "Unhealthy: the body says why (`problems`)", "content": HEALTH_BODY},
    },
)
def health(checks: Annotated[Health, wired(Health)]) -> Response:
    """Database reachable, and how far each reader of the log lags behind it."""
    healthy, body = checks.report()
    return Response(orjson.dumps(body), status_code=200 if healthy else 503, media_type="application/json")


class PrometheusText(Response):
    media_type = CONTENT_TYPE_LATEST


@router.get(
    "/metrics",
    response_class=PrometheusText,
    responses={200: {"description": "Prometheus text format", "content": {CONTENT_TYPE_LATEST: {}}}},
)
def metrics(registry: Annotated[CollectorRegistry, wired(CollectorRegistry)]) -> Response:
    """Prometheus metrics (seed 001's session metrics among them)."""
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
