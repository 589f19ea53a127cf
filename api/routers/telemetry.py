from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from fastapi import APIRouter
from starlette.responses import Response

from api.deps import CommandDep
from api.idempotency import Stored
from api.problems import Problem
from api.schemas import TelemetryAccepted, TelemetryBatch
from infra.fanout.consumers import client_telemetry_message

router = APIRouter(prefix="/v1/telemetry", tags=["telemetry"])


@router.post("", status_code=202, response_model=TelemetryAccepted)
def post_telemetry(body: TelemetryBatch, cmd: CommandDep) -> Response:
    """Accept a batch of up to 200 client telemetry events for lorekeeper.telemetry."""

    def command() -> Stored:
        player = cmd.container.app.get_player(cmd.principal.subject)
        if player.telemetry_opt_out:
            accepted = TelemetryAccepted(accepted=0, dropped=len(body.events))
        else:
            now = datetime.now(UTC)
            messages = [
                client_telemetry_message(
                    player.id,
                    {
                        "event_id": str(e.event_id or uuid4()),
                        "event_type": e.event_type,
                        "payload": e.payload,
                        "timestamp": (e.timestamp or now).isoformat(),
                    },
                )
                for e in body.events
            ]
            try:
                cmd.container.telemetry_sink.publish(messages)
            except Exception as e:
                raise Problem(
                    503,
                    "telemetry_unavailable",
                    f"telemetry could not be stored: {type(e).__name__}",
                    headers={"Retry-After": "5"},
                ) from e
            accepted = TelemetryAccepted(accepted=len(messages), dropped=0)
        return Stored(202, accepted.model_dump_json().encode(), {"content-type": "application/json"})

    return cmd.run(body.model_dump(mode="json"), command)
