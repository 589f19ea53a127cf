from __future__ import annotations

import orjson
from fastapi import APIRouter
from starlette.responses import Response

from api.deps import ContainerDep
from projections.tracking import Status

router = APIRouter(tags=["health"])


def _positions(statuses: list[Status]) -> dict[str, dict[str, object]]:
    return {s.name: {"position": s.position, "lag": s.lag, "updated_at": s.updated_at} for s in statuses}


@router.get("/health")
def health(container: ContainerDep) -> Response:
    """Database reachable, and how far each reader of the log lags behind it."""
    try:
        projections = [runner.status() for runner in container.runners.values()]
        fanout = [reader.status() for reader in container.readers() if reader not in container.runners.values()]
    except Exception as e:  # a health check reports, it does not raise
        body = {"status": "unavailable", "detail": f"database unreachable: {type(e).__name__}"}
        return Response(orjson.dumps(body), status_code=503, media_type="application/json")
    committer = getattr(container.app.recorder, "committer", None)
    body = {
        "status": "ok",
        "head": max((s.head for s in projections), default=0),
        "projections": _positions(projections),
        "fanout": _positions(fanout),
        "kafka": container.kafka_enabled,
        "group_commit": {"batches": committer.batches, "commands": committer.items} if committer else None,
    }
    return Response(orjson.dumps(body), media_type="application/json")
