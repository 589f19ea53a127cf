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


def test_old_activity_moves_to_the_archive_once_and_a_rebuild_then_a_second_archive_keeps_it_once(container):
    from projections.tycoon.archive import ARCHIVE, archive_activity

    game = container.use(TycoonUseCases)
    clock = Clock()
    game.now = clock
    player = uuid4()
    world = game.found_world(player, "Old", 1, 60).aggregate.id
    hero = game.recruit(player, world, "Hero", BRAVE, 1).aggregate.id
    clock.at += timedelta(hours=2)
    game.live(hero)
    container.follower.run_once()

    def counts():
        with container.pool.connection() as conn:
            live = conn.execute("SELECT count(*) AS n FROM tycoon.activity_log").fetchone()["n"]
            kept = conn.execute(f"SELECT count(*) AS n FROM {ARCHIVE}").fetchone()["n"]
            return live, kept

    with container.pool.connection() as conn:
        total = conn.execute("SELECT count(*) AS n FROM tycoon.activity_log").fetchone()["n"]
    halfway = clock.at - timedelta(hours=1)  # real times run from the founding to now
    moved = archive_activity(container.pool, timedelta(0), now=halfway)
    live, kept = counts()
    assert 0 < moved == kept and live + kept == total
    assert archive_activity(container.pool, timedelta(0), now=halfway) == 0
    rebuild(container.runners["tycoon_heroes"])  # the archived rows come back to the log...
    assert counts() == (total, kept)
    assert archive_activity(container.pool, timedelta(0), now=halfway) == 0  # ...and leave it again, archived once
    assert counts() == (live, kept)
