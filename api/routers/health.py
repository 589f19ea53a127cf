from __future__ import annotations

import orjson
from fastapi import APIRouter
from starlette.responses import Response

from api.deps import ContainerDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(container: ContainerDep) -> Response:
    """Database reachable, and how far each projection lags behind the event store."""
    try:
        statuses = [runner.status() for runner in container.runners.values()]
    except Exception as e:  # a health check reports, it does not raise
        body = {"status": "unavailable", "detail": f"database unreachable: {type(e).__name__}"}
        return Response(orjson.dumps(body), status_code=503, media_type="application/json")
    committer = getattr(container.app.recorder, "committer", None)
    body = {
        "status": "ok",
        "group_commit": {"batches": committer.batches, "commands": committer.items} if committer else None,
        "head": max((s.head for s in statuses), default=0),
        "projections": {s.name: {"position": s.position, "lag": s.lag, "updated_at": s.updated_at} for s in statuses},
    }
    return Response(orjson.dumps(body), media_type="application/json")
