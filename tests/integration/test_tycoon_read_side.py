"""The tycoon read side on PostgreSQL: a world's history projected into the
partitioned activity log (rows land in the world's partition), and a rebuild
that reproduces every tycoon table exactly, partitions and all."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from domain.tycoon import TycoonUseCases
from projections.rebuild import rebuild
from tests.unit.tycoon.helpers import BRAVE, Clock

TABLES = {
    "tycoon.heroes": "id",
    "tycoon.hero_decisions": "id",
    "tycoon.activity_log": "id",
    "tycoon.master_influence": "hero_id",
    "tycoon.hero_relationships": "hero_id, other_hero_id, relationship_type",
    "tycoon.quests": "id",
    "tycoon.quest_assignments": "quest_id, hero_id",
    "tycoon.guilds": "id",
    "tycoon.worlds": "id",
}


def snapshot(container) -> dict:
    with container.pool.connection() as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY {k}").fetchall() for t, k in TABLES.items()}


def test_a_world_is_projected_into_its_partition_and_rebuilt_exactly(container):
    game = container.use(TycoonUseCases)
    clock = Clock()
    game.now = clock
    player = uuid4()
    worlds = [game.found_world(player, f"World {i}", i, 60).aggregate.id for i in range(3)]
    heroes = [game.recruit(player, w, f"Hero {i}", BRAVE, i).aggregate.id for i, w in enumerate(worlds * 2)]
    quest = game.post_quest(player, worlds[0], "Slay the wyrm", "", 2, 120, {"gold": 80}).aggregate.id
    game.assign(player, quest, [heroes[0], heroes[3]])
    game.influence(player, heroes[1], "praise", "well done")
    clock.at += timedelta(hours=3)
    for hero in heroes:
        game.live(hero)
    container.follower.run_once()

    before = snapshot(container)
    assert len(before["tycoon.activity_log"]) > 50 and len(before["tycoon.hero_decisions"]) > 50
    with container.pool.connection() as conn:
        parts = conn.execute(
            "SELECT tableoid::regclass::text AS part, count(*) AS n FROM tycoon.activity_log GROUP BY 1"
        ).fetchall()
        # Each world's rows sit in one partition (the hash of its id).
        spread = conn.execute(
            "SELECT world_id, count(DISTINCT tableoid) AS n FROM tycoon.activity_log GROUP BY world_id"
        ).fetchall()
    assert all(p["part"].startswith("tycoon.activity_log_p") for p in parts)
    assert all(s["n"] == 1 for s in spread) and len(spread) == 3

    for name in ("tycoon_world", "tycoon_heroes"):
        rebuild(container.runners[name])
    assert snapshot(container) == before
    with container.pool.connection() as conn:
        kinds = conn.execute(
            "SELECT c.relname, c.relkind, n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname LIKE 'activity_log%%' AND c.relkind IN ('p', 'r')"
        ).fetchall()
    assert {(k["relname"], k["nspname"]) for k in kinds} == {
        ("activity_log", "tycoon"),
        *((f"activity_log_p{i}", "tycoon") for i in range(8)),
    }
