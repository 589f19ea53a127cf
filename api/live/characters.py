from __future__ import annotations

from uuid import UUID

from starlette.responses import Response

from api import routing
from api.deps import CommandDep, CurrentPrincipal, ReadDb, ReadYourWrites
from api.live.deps import Live
from api.live.schemas import CharacterCreate, CharacterOut
from api.responses import read_one, stored
from domain.live import Character
from infra.idempotency import Stored
from projections.live.sessions import CHARACTER_PROFILES

router = routing.router(prefix="/v1/characters", tags=["characters"])


def character_out(c: Character, position: int | None) -> CharacterOut:
    return CharacterOut.model_construct(  # values come from the aggregate: no re-validation
        character_id=c.id,
        user_id=c.owner_id,
        display_name=c.display_name,
        position_x=c.position_x,
        position_y=c.position_y,
        health=c.health,
        inventory_json=c.inventory,
        stats_json=c.stats,
        updated_at=c.modified_on,
        version=c.version,
        position=position,
    )


@router.post("", status_code=201, response_model=CharacterOut)
def create_character(body: CharacterCreate, cmd: CommandDep, live: Live) -> Response:
    """Create a character for the calling player, at a tile on the map."""

    def command() -> Stored:
        written = live.create_character(cmd.principal.subject, body.display_name, body.x, body.y)
        c = written.aggregate
        return stored(201, character_out(c, written.position), version=c.version, location=f"/v1/characters/{c.id}")

    return cmd.run(body.model_dump(), command)


@router.get("/{character_id}", response_model=CharacterOut, dependencies=[ReadYourWrites])
def get_character(character_id: UUID, principal: CurrentPrincipal, db: ReadDb) -> Response:
    """A character profile from the character_profiles read model."""
    return read_one(
        db, principal, CHARACTER_PROFILES, key="character_id", value=character_id, model=CharacterOut, noun="character"
    )
