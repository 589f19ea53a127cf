"""``lorekeeper demo narrative`` fills every seed-000 table through the API."""

from __future__ import annotations

from infra.entrypoints.demo.narrative import run
from tests.e2e.helpers import settled
from tests.integration.kafka_helpers import wait_until

SEED_000_TABLES = (
    "accounts.players",
    "narrative.save_slots",
    "narrative.inventory_items",
    "narrative.quests",
    "narrative.quest_progress",
    "narrative.telemetry_events",
    "narrative.content_packages",
)


def test_the_narrative_demo_fills_every_seed_000_table(live_server):
    admin = live_server.token()["Authorization"].removeprefix("Bearer ")
    results = run(live_server.url, admin, players=3)
    assert len(results) == 3 and any(r["conflict_resolved"] for r in results)
    container = live_server.container

    def counts() -> dict[str, int]:
        with container.pool.connection() as conn:
            return {t: conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"] for t in SEED_000_TABLES}

    wait_until(lambda: all(counts().values()), 20, message=f"every table filled: {counts()}")
    with container.pool.connection() as conn:
        statuses = {r["status"] for r in conn.execute("SELECT status FROM narrative.quest_progress").fetchall()}
        rebased = conn.execute(
            "SELECT count(*) AS n FROM narrative.save_slot_history WHERE detail->>'rebased' = 'true'"
        ).fetchone()
    assert {"completed", "failed"} <= statuses
    assert rebased["n"] >= 1  # offline devices were rebased
    # Run again, as a newcomer would: new players, the same stories, no conflict.
    again = run(live_server.url, admin, players=3)
    assert len(again) == 3 and {r["player"] for r in again}.isdisjoint(r["player"] for r in results)


def echoes_relations() -> list[str]:
    """Every table and view of the echoes schema, as its read model declares them."""
    from projections.echoes import READ_MODEL

    return [t.qualified for t in READ_MODEL.tables] + [v.qualified for v in READ_MODEL.views]


def test_the_echoes_demo_fills_every_echoes_table_and_view_and_runs_twice(live_server):
    from rich.console import Console

    from api.auth import TokenService
    from infra.entrypoints.demo.echoes import run as run_echoes

    tokens = live_server.app.state.services.get(TokenService)
    for _ in range(2):
        run_echoes(live_server.url, tokens, players=4, console=Console(quiet=True))
    container = live_server.container

    def counts() -> dict[str, int]:
        with container.pool.connection() as conn:
            return {t: conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"] for t in echoes_relations()}

    wait_until(lambda: all(counts().values()), 20, message=f"every table filled: {counts()}")
    # One kill per run (and the demo waits for its short bid to expire, or fails).
    wait_until(lambda: counts()["echoes.combat_logs"] == 2, 20, message="a combat log per run")
    with container.pool.connection() as conn:
        balances = conn.execute("SELECT min(wallet_balance) AS low FROM echoes.characters").fetchone()
        partial = conn.execute(
            "SELECT count(*) AS n FROM echoes.market_orders WHERE quantity < volume_entered"
        ).fetchone()
    assert balances["low"] >= 0 and partial["n"] >= 1  # partial fills rest on the books


def test_the_adventure_demo_fills_every_adventure_table_and_view_and_runs_twice(live_server):
    from rich.console import Console

    from api.auth import TokenService
    from infra.entrypoints.demo.adventure import run as run_adventure
    from projections.adventure import READ_MODEL

    tokens = live_server.app.state.services.get(TokenService)
    for _ in range(2):
        run_adventure(live_server.url, tokens, players=3, console=Console(quiet=True))
    settled(live_server)  # the last survey's entries projected too
    relations = [t.qualified for t in READ_MODEL.tables] + [v.qualified for v in READ_MODEL.views]
    container = live_server.container

    def counts() -> dict[str, int]:
        with container.pool.connection() as conn:
            return {t: conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"] for t in relations}

    wait_until(lambda: all(counts().values()), 20, message=f"every table filled: {counts()}")
    with container.pool.connection() as conn:
        worlds = conn.execute("SELECT count(*) AS n FROM adventure.worlds").fetchone()["n"]
        unlocked = conn.execute(
            "SELECT count(*) AS n FROM adventure.achievements WHERE achievement_name = 'level_10'"
        ).fetchone()["n"]
        pairs = conn.execute(
            "SELECT a.relationship_value = b.relationship_value AS same FROM adventure.character_relationships a "
            "JOIN adventure.character_relationships b ON a.relationship_id = b.relationship_id "
            "AND a.character_id = b.target_character_id"
        ).fetchall()
        quests = conn.execute("SELECT status, count(*) AS n FROM adventure.quest_progress GROUP BY status").fetchall()
        evolution = conn.execute(
            "SELECT evolution_type, is_active FROM adventure.world_evolution_log ORDER BY evolution_type, is_active"
        ).fetchall()
    assert worlds == 2 and unlocked == 2
    assert quests == [{"status": "completed", "n": 4}]  # two parties of two, each run completed by play
    assert [e["evolution_type"] for e in evolution if not e["is_active"]] == ["quest_sequel"] * 2, evolution
    assert sum(e["evolution_type"].startswith("season_") for e in evolution) == 2  # spring answered, each run
    made = [e["evolution_type"] for e in evolution]
    for kind in ("story_sequel", "reconciliation", "settlement_grew", "recipe_shortage"):  # the other four agents
        assert made.count(kind) == 2, made
    assert pairs and all(p["same"] for p in pairs)  # both rows of every pair agree


def test_the_tycoon_demo_fills_every_tycoon_table_and_view_and_runs_twice(live_server):
    from rich.console import Console

    from infra.entrypoints.demo.tycoon import run as run_tycoon
    from projections.tycoon import READ_MODEL

    for _ in range(2):
        summary = run_tycoon(live_server.url, players=2, wait=3, console=Console(quiet=True))
        assert summary["decisions_after"] > summary["decisions_before"]  # no client asked: timers did it
    relations = [t.qualified for t in READ_MODEL.tables] + [v.qualified for v in READ_MODEL.views]
    container = live_server.container

    def counts() -> dict[str, int]:
        with container.pool.connection() as conn:
            return {t: conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"] for t in relations}

    wait_until(lambda: all(counts().values()), 30, message=f"every table filled: {counts()}")
    with container.pool.connection() as conn:
        worlds = conn.execute("SELECT count(*) AS n FROM tycoon.worlds").fetchone()["n"]
        pairs = conn.execute(
            "SELECT a.strength = b.strength AS same FROM tycoon.hero_relationships a "
            "JOIN tycoon.hero_relationships b ON a.hero_id = b.other_hero_id AND a.other_hero_id = b.hero_id "
            "AND a.relationship_type = b.relationship_type"
        ).fetchall()
    assert worlds == 4
    assert pairs and all(p["same"] for p in pairs)  # both rows of every pair agree
