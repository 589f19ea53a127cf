"""Quest and item definitions (seed 000's ``quests``): admins publish, everyone reads."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from api import routing
from api.deps import CommandDep, CurrentPrincipal, ReadDb, ReadYourWrites
from api.narrative.deps import Narrative
from api.problems import Problem
from domain.narrative.catalogue import ItemDefinition, QuestDefinition
from infra.idempotency import Stored
from projections.narrative.progress import ITEMS, QUESTS

router = routing.router(tags=["catalogue"])


def _publish(cmd: Any, path_id: str, body: ItemDefinition | QuestDefinition, use_case: Any) -> Response:
    """Admins only; the body's id must be the path's. Answers the definition and its position."""
    if not cmd.principal.is_admin:
        raise Problem(403, "forbidden", "only admins publish quests and items")
    body_id = body.item_id if isinstance(body, ItemDefinition) else body.quest_id
    if body_id != path_id:
        raise Problem(422, "id_mismatch", "the id in the body must match the path")

    def command() -> Stored:
        written = use_case(body)
        out = {**body.model_dump(mode="json"), "position": written.position}
        headers = {"content-type": "application/json", "etag": f'"{written.aggregate.version}"'}
        return Stored(200, orjson.dumps(out), headers)

    return cmd.run(body.model_dump(), command)


@router.put("/v1/items/{item_id}")
def define_item(item_id: str, body: ItemDefinition, cmd: CommandDep, narrative: Narrative) -> Response:
    """Define (or redefine) an item: its stack limit and how many a client may pick up at once."""
    return _publish(cmd, item_id, body, narrative.define_item)


@router.put("/v1/quests/{quest_id}")
def publish_quest(quest_id: str, body: QuestDefinition, cmd: CommandDep, narrative: Narrative) -> Response:
    """Publish (or revise) a quest; its reward items must be defined first."""
    return _publish(cmd, quest_id, body, narrative.publish_quest)


@router.get("/v1/quests", dependencies=[ReadYourWrites])
def list_quests(_: CurrentPrincipal, db: ReadDb) -> list[dict[str, Any]]:
    """Every published quest (at most 200 exist)."""
    with db.connection() as conn:
        return conn.execute(f"SELECT * FROM {QUESTS.qualified} ORDER BY quest_id LIMIT 1000").fetchall()


@router.get("/v1/items", dependencies=[ReadYourWrites])
def list_items(_: CurrentPrincipal, db: ReadDb) -> list[dict[str, Any]]:
    """Every defined item (at most 1,000 exist)."""
    with db.connection() as conn:
        return conn.execute(f"SELECT * FROM {ITEMS.qualified} ORDER BY item_id LIMIT 1000").fetchall()
