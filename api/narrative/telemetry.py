"""Client telemetry (seed 000): batches for ``lorekeeper.telemetry``."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4, uuid5

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
    erasure leaves nothing readable in the topic.

    Each event is identified by its ``event_id``, and consumers keep one event
    per id: resending a batch never duplicates it. An event sent without one
    gets an id derived from the ``Idempotency-Key`` and its place in the batch
    (so a retry with the same key resends the same ids), or a random one
    without a key. The answer lists the ids. A 503 means the broker did not
    confirm in time: the events may still arrive, and resending is safe."""

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
                        "event_id": str(event_id(player.id, cmd.key, index, e.event_id)),
                        "event_type": e.event_type,
                        "payload": seal_value(keys, player.id, e.payload),
                        "timestamp": (e.timestamp or now).isoformat(),
                    },
                )
                for index, e in enumerate(body.events)
            ]
            ids = [UUID(m.headers["ce_id"]) for m in messages]
            try:
                sink.publish(messages)
            except Exception as e:
                raise Problem(
                    503,
                    "telemetry_unavailable",
                    f"the telemetry broker did not confirm the batch ({type(e).__name__}): some or all of it "
                    "may still arrive; resend it with the same event_ids, duplicates are dropped",
                    headers={"Retry-After": "5"},
                    event_ids=[str(i) for i in ids],
                ) from e
            accepted = TelemetryAccepted(accepted=len(messages), dropped=0, event_ids=ids)
        return Stored(202, accepted.model_dump_json().encode(), {"content-type": "application/json"})

    return cmd.run(body.model_dump(mode="json"), command)


TELEMETRY_IDS = UUID("6f1c2a4e-9d1b-4c1e-8a57-3c0d2b7e9f10")  # the namespace of derived event ids


def event_id(player_id: UUID, key: str | None, index: int, given: UUID | None) -> UUID:
    """The client's id; else one derived from the Idempotency-Key (stable across
    retries); else a random one."""
    if given is not None:
        return given
    if key is not None:
        return uuid5(TELEMETRY_IDS, f"{player_id}/{key}/{index}")
    return uuid4()
