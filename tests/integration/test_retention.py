"""Old action_events rows go to archive files and leave the read table;
the event store keeps them."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta

import orjson

from projections.live.retention import archive_actions
from tests.support import app_of


def test_rows_past_retention_are_archived_then_removed_and_the_store_keeps_them(container, tmp_path):
    app = app_of(container)
    player = app.accounts.create_player().aggregate
    character = app.live.create_character(player.id, "Ada").aggregate
    session = app.live.open_session(player.id, character.id, "1").aggregate
    for seq in range(1, 6):
        app.live.record_action(session.id, seq, "chat", {"text": f"#{seq}"})
    container.follower.run_once()
    with container.pool.connection() as conn:
        conn.execute(
            "UPDATE live.action_events SET persisted_at = persisted_at - interval '40 days' WHERE sequence_number <= 3"
        )

    archived = archive_actions(container.pool, tmp_path / "archive", timedelta(days=30), datetime.now(UTC))

    assert archived == 3
    with container.pool.connection() as conn:
        left = [r["sequence_number"] for r in conn.execute("SELECT sequence_number FROM live.action_events").fetchall()]
    assert sorted(left) == [4, 5]
    lines = [
        orjson.loads(line)
        for f in (tmp_path / "archive").iterdir()
        for line in gzip.decompress(f.read_bytes()).splitlines()
    ]
    assert sorted(line["sequence_number"] for line in lines) == [1, 2, 3]
    stored = [e for e in app.store.events.get(session.id) if type(e).__name__ == "ActionRecorded"]
    assert len(stored) == 5
    assert archive_actions(container.pool, tmp_path / "archive", timedelta(days=30)) == 0
