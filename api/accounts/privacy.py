"""GDPR/CCPA: export everything held about a player; erase a player.

The work is the accounts context's ``Erasure`` use case (domain/accounts/
erasure.py) and the privacy adapter (infra/privacy.py); docs/data-protection.md
has the retention matrix.
"""

from __future__ import annotations

from uuid import UUID

import orjson
from starlette.responses import Response

from api import routing
from api.accounts.deps import Erasures, Exports
from api.auth import Principal
from api.deps import CurrentPrincipal, ReadYourWrites
from api.problems import Problem

router = routing.router(prefix="/v1/players", tags=["privacy"])


def _check_may_act(principal: Principal, player_id: UUID) -> None:
    if principal.subject != player_id and not principal.is_admin:
        raise Problem(403, "forbidden", "only the player (or an admin) may do this")


@router.get("/{player_id}/export", dependencies=[ReadYourWrites])
def export_player(player_id: UUID, principal: CurrentPrincipal, exports: Exports) -> Response:
    """Everything held about the player: the account (personal fields opened),
    every read-table row about it, and the event history of its player, save
    slots and characters. Password hashes are left out."""
    _check_may_act(principal, player_id)
    return Response(
        orjson.dumps(exports.export(player_id), default=str),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="lorekeeper-export-{player_id}.json"'},
    )


@router.delete("/{player_id}")
def erase_player(player_id: UUID, principal: CurrentPrincipal, erasure: Erasures) -> Response:
    """Erase the player (right to erasure), however much it owns. Idempotent:
    erasing again answers the same."""
    _check_may_act(principal, player_id)
    written = erasure.erase(player_id, actor_id=principal.actor())
    player = written.aggregate
    body = {"account_id": str(player.id), "erased_at": player.erased_at.isoformat(), "position": written.position}
    return Response(orjson.dumps(body), media_type="application/json")
