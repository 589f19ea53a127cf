"""Client telemetry (seed 000): batches for ``lorekeeper.telemetry``."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from starlette.responses import Response

from api import routing
from api.deps import CommandDep
from api.narrative.deps import Accounts, Keys, Telemetry
from api.narrative.schemas import TelemetryAccepted, TelemetryBatch
from api.problems import Problem
from infra.crypto import seal_value
from infra.fanout.telemetry import client_telemetry_message
from infra.idempotency import Stored

router = routing.router(prefix="/v1/telemetry", tags=["telemetry"])


@router.post("", status_code=202, response_model=TelemetryAccepted)
def post_telemetry(body: TelemetryBatch, cmd: CommandDep, accounts: Accounts, keys: Keys, sink: Telemetry) -> Response:
    """Accept a batch of up to 200 client telemetry events for lorekeeper.telemetry.

    Payloads travel sealed under the player's key (they may hold anything), so
    erasure leaves nothing readable in the topic."""

    def command() -> Stored:
        player = accounts.get_player(cmd.principal.subject)
        if player.erased:
            raise Problem(410, "player_erased", "this player was erased")
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
                        "payload": seal_value(keys, player.id, e.payload),
                        "timestamp": (e.timestamp or now).isoformat(),
                    },
                )
                for e in body.events
            ]
            try:
                sink.publish(messages)
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
