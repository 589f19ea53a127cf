"""A small realistic workload of players and save slots, written through the app."""

from __future__ import annotations

import random

from tests.support import App


def play(app: App, players: int = 5, saves: int = 4, seed: int = 1) -> dict[str, int]:
    """Create players with slots and saves; returns how many events each aggregate has."""
    rng = random.Random(seed)
    for i in range(players):
        player = app.accounts.create_player(f"player {i}").aggregate
        slot = app.narrative.open_save_slot(player.id, "main").aggregate
        for n in range(rng.randint(1, saves)):
            slot = app.narrative.save_progress(slot.id, {"chapter": n}, expected_version=slot.version).aggregate
        if rng.random() < 0.5:
            app.accounts.update_player(player.id, display_name=f"renamed {i}")
    return versions(app)


def versions(app: App) -> dict[str, int]:
    """Current version of every aggregate in the store (= its event count)."""
    with app.store.factory.datastore.get_connection() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(
            "SELECT originator_id, max(originator_version) AS v, min(topic) AS t "
            "FROM lorekeeper_events GROUP BY originator_id"
        ).fetchall()
    return {
        str(r["originator_id"]): r["v"]
        for r in rows
        if not r["t"].startswith(("lorekeeper.platform_link", "lorekeeper.holdings"))
    }
