"""A database written by the previous layout (every read table in ``public``)
upgrades on start: each projection's schema version moved on, so it is
rebuilt from the events into its context's schema; the old tables are dropped
once the new ones have caught up; the telemetry a consumer kept is moved."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

from psycopg.types.json import Jsonb

from domain.narrative.catalogue import ItemDefinition
from infra.entrypoints.bootstrap import Container
from projections.ddl import create_tables, exists
from projections.model import Handler, Projection
from projections.narrative.telemetry import TELEMETRY_EVENTS
from projections.runner import ProjectionRunner
from tests.fixtures.db import make_settings
from tests.support import app_of

# The schema versions the previous layout stored, by projection.
PREVIOUS = {"players": 2, "save_slots": 2, "narrative": 1, "content": 1, "live": 2}


def as_before(projection: Projection) -> Projection:
    """The projection as the previous layout built it: its tables in public."""
    tables = {t: replace(t, schema="public") for t in projection.tables}
    handlers = {
        topic: [Handler(tables[h.table], h.apply, h.key) for h in hs] for topic, hs in projection.handlers.items()
    }
    return Projection(projection.name, PREVIOUS[projection.name], tuple(tables.values()), handlers)


def counts(container: Container, schema: str) -> dict[str, int]:
    found = {}
    with container.pool.connection() as conn:
        for table in container.tables:
            name = f"{schema}.{table.name}"
            if exists(conn, name):
                found[table.name] = conn.execute(f"SELECT count(*) AS n FROM {name}").fetchone()["n"]
    return found


def test_a_database_of_the_previous_layout_upgrades_on_start_with_nothing_lost(database, tmp_path):
    container = Container(make_settings(database, tmp_path))
    try:
        app = app_of(container)
        player = app.accounts.create_player("Ada").aggregate
        slot = app.narrative.open_save_slot(player.id, "main", {"chapter": 1}).aggregate
        app.narrative.define_item(ItemDefinition(item_id="potion", name="Potion", max_stack=5, pickup_limit=2))
        app.narrative.sync_save_slot(slot.id, 0, [{"type": "item_added", "item_id": "potion", "quantity": 2}])
        character = app.live.create_character(player.id, "Ada", 1, 1).aggregate
        session = app.live.open_session(player.id, character.id, "1").aggregate
        app.live.record_action(session.id, 1, "move", {"x": 2, "y": 2})

        # The previous layout: every read table in public, tracked at its old version,
        # and a client telemetry row that exists nowhere but in its table.
        for runner in container.runners.values():
            if runner.projection.name not in PREVIOUS:  # a context that came after the move has no old layout
                continue
            old = ProjectionRunner(as_before(runner.projection), container.pool, container.event_log, runner.decode)
            old.setup()
            old.catch_up()
        client_event = uuid.uuid4()
        with container.pool.connection() as conn:
            create_tables(conn, [replace(TELEMETRY_EVENTS, schema="public")])
            conn.execute(
                "INSERT INTO public.telemetry_events (event_id, account_id, event_type, payload, timestamp, source) "
                "VALUES (%s, %s, 'scene_viewed', %s, %s, 'client')",
                (client_event, player.id, Jsonb({"scene": "gate"}), datetime.now(UTC)),
            )
        before = counts(container, "public")
        assert before["players"] == 1 and before["action_events"] == 1 and before["inventory_items"] == 1

        container.setup()  # what every start does

        after = {
            name: n for schema in ("accounts", "narrative", "live") for name, n in counts(container, schema).items()
        }
        assert {name: n for name, n in after.items() if name in before} == before
        assert counts(container, "public") == {}, "the old tables are dropped once the new ones caught up"
        with container.pool.connection() as conn:
            moved = conn.execute(
                f"SELECT event_type FROM {TELEMETRY_EVENTS.qualified} WHERE event_id = %s", (client_event,)
            ).fetchone()
            versions = {
                r["name"]: r["schema_version"]
                for r in conn.execute("SELECT name, schema_version FROM lorekeeper_projections").fetchall()
            }
        assert moved == {"event_type": "scene_viewed"}
        for name, runner in container.runners.items():
            if name in PREVIOUS:
                assert versions[name] == runner.projection.schema_version > PREVIOUS[name]
    finally:
        container.close()
