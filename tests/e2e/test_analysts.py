"""The analysts' command line end to end: an export killed mid-run and run
again (DuckDB counts every event once), the queries docs/analysts.md shows,
an as-of rebuild against a database cut at that position, and the ad-hoc
projection docs/analysts.md tells an analyst to copy."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import orjson
import pytest

from projections.runner import ProjectionRunner
from projections.tracking import EventLog
from tests.e2e.helpers import new_slot, sign_up
from tests.fixtures.server import ROOT

DOCS = (ROOT / "docs" / "analysts.md").read_text()
CHECKS = re.compile(r"<!-- check: (\w+) ([\w.]+) -->\n```\w+\n(.*?)```", re.S)


def documented(kind: str) -> dict[str, str]:
    return {name: code for found, name, code in CHECKS.findall(DOCS) if found == kind}


def lorekeeper(live_server, *args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra.entrypoints.cli", *args],
        cwd=cwd,
        env=cli_env(live_server, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def cli_env(live_server, **env: str) -> dict[str, str]:
    settings = live_server.container.settings
    return {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "LOREKEEPER_DATA_DIR": str(settings.data_dir),
        "PYTHONPATH": str(ROOT),
        "COLUMNS": "200",
        **env,
    }


def play(http, live_server, players: int = 4) -> None:
    """Players who sign up, open slots, save, and pick up and spend gold."""
    admin = live_server.token("admin")
    r = http.put(
        "/v1/items/gold",
        headers=admin,
        json={"item_id": "gold", "name": "Gold", "max_stack": 10**6, "pickup_limit": 1000},
    )
    assert r.status_code == 200, r.text
    for i in range(players):
        player = sign_up(http, f"player {i}")
        if i == players - 1:
            continue  # one who never opens a slot
        slot = new_slot(http, player, f"slot {i}", {"chapter": 0})
        changes = [{"type": "item_added", "item_id": "gold", "quantity": 100 + i}]
        changes += [{"type": "item_removed", "item_id": "gold", "quantity": 10}] if i % 2 else []
        r = http.post(
            f"/v1/save-slots/{slot['slot_id']}/sync", headers=player.auth, json={"base_version": 0, "changes": changes}
        )
        assert r.status_code == 200, r.text
        if i % 2 == 0:
            r = http.put(
                f"/v1/save-slots/{slot['slot_id']}",
                headers={**player.auth, "If-Match": f'"{r.json()["version"]}"'},
                json={"narrative_state": {"chapter": 1}},
            )
            assert r.status_code == 200, r.text


def store_positions(live_server) -> list[int]:
    with live_server.container.pool.connection() as conn:
        return [r["notification_id"] for r in conn.execute("SELECT notification_id FROM lorekeeper_events ORDER BY 1")]


def exported_positions(out: Path) -> list[int]:
    rows = duckdb.sql(f"SELECT position FROM read_parquet('{out}/**/*.parquet', hive_partitioning = true) ORDER BY 1")
    return [r[0] for r in rows.fetchall()]


@pytest.mark.slow
def test_an_export_killed_mid_run_and_run_again_holds_every_event_once(http, live_server, tmp_path):
    play(http, live_server, players=12)
    out = tmp_path / "export"
    export = [sys.executable, "-m", "infra.entrypoints.cli", "export", "--out", str(out), "--chunk", "7"]
    proc = subprocess.Popen(
        export,
        cwd=ROOT,
        env=cli_env(live_server, LOREKEEPER_FAULT_EXPORT_PAUSE_SECONDS="0.3"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    manifest = out / "_manifest.json"
    deadline = time.monotonic() + 60
    while not (manifest.exists() and orjson.loads(manifest.read_bytes())["position"] >= 14):
        assert time.monotonic() < deadline and proc.poll() is None, "the export did not get going"
        time.sleep(0.02)
    time.sleep(0.15)  # into the pause: the next chunk's files are written, the manifest not yet
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    killed_at = orjson.loads(manifest.read_bytes())["position"]
    assert killed_at < store_positions(live_server)[-1], "the export finished before it was killed"

    again = lorekeeper(live_server, "export", "--out", str(out), "--chunk", "7")
    assert again.returncode == 0, again.stderr
    assert exported_positions(out) == store_positions(live_server)

    # Later: only what is new is added.
    files_before = orjson.loads(manifest.read_bytes())["files"]
    sign_up(http, "latecomer")
    later = lorekeeper(live_server, "export", "--out", str(out))
    assert later.returncode == 0, later.stderr
    assert exported_positions(out) == store_positions(live_server)
    assert orjson.loads(manifest.read_bytes())["files"][: len(files_before)] == files_before

    refused = lorekeeper(live_server, "export", "--out", str(out), "--format", "ndjson")
    assert refused.returncode == 2 and "--format" in refused.stdout


def test_the_documented_queries_answer_from_a_fresh_export(http, live_server, tmp_path, monkeypatch):
    play(http, live_server, players=4)
    exported = lorekeeper(live_server, "export", "--out", str(tmp_path / "export"))
    assert exported.returncode == 0, exported.stderr
    monkeypatch.chdir(tmp_path)
    total = len(store_positions(live_server))
    queries, frames = documented("duckdb"), documented("polars")
    assert set(queries) == {"events_per_day", "funnel", "money_supply"} and set(frames) == {
        "events_per_day",
        "money_supply",
    }

    per_day = duckdb.sql(queries["events_per_day"]).fetchall()
    assert sum(count for _, _, count in per_day) == total
    assert "lorekeeper.player.Created" in {topic for _, topic, _ in per_day}
    assert duckdb.sql(queries["funnel"]).fetchall() == [(4, 3, 2)]
    supply = duckdb.sql(queries["money_supply"]).fetchall()
    assert supply[-1][2] == 100 + 101 + 102 - 10  # three players picked up gold, one spent ten

    for name, code in frames.items():
        scope: dict = {}
        exec(code, scope)  # the documented Polars code, as an analyst runs it
        result = scope["result"]
        if name == "events_per_day":
            assert result["events"].sum() == total
        else:
            assert result["supply"].to_list()[-1] == 293

    ndjson = lorekeeper(
        live_server,
        "export",
        "--out",
        str(tmp_path / "saves"),
        "--format",
        "ndjson",
        "--topics",
        "lorekeeper.save_slot.*",
    )
    assert ndjson.returncode == 0, ndjson.stderr
    lines = [orjson.loads(line) for f in (tmp_path / "saves").rglob("*.ndjson") for line in f.read_bytes().splitlines()]
    assert lines and {line["aggregate_type"] for line in lines} == {"save_slot"}
    assert not any("slot 0" in orjson.dumps(line).decode() for line in lines), "an export carries personal data sealed"


def rows(conn, schema: str, table: str, key: str) -> list[dict]:
    return conn.execute(f"SELECT * FROM {schema}.{table} ORDER BY {key}").fetchall()


def test_an_as_of_rebuild_equals_a_rebuild_of_the_database_cut_at_that_position(http, live_server):
    play(http, live_server, players=3)
    cut = store_positions(live_server)[-1]
    play(http, live_server, players=3)
    container = live_server.container
    live_before = container.runners["save_slots"].position()

    built = lorekeeper(live_server, "projections", "rebuild", "save_slots", "--until", str(cut), "--schema", "asof_cut")
    assert built.returncode == 0, built.stderr

    with container.pool.connection() as conn:  # the reference: a database that ends at the cut
        conn.execute(f"CREATE TABLE cut_events AS SELECT * FROM lorekeeper_events WHERE notification_id <= {cut}")
    projection = container.runners["save_slots"].projection
    reference = ProjectionRunner(
        projection,
        container.pool,
        EventLog("cut_events"),
        container.mapper.open_state,
        schema="cut_reference",
        tracking_name="cut_reference",
    )
    reference.setup()
    reference.catch_up()
    with container.pool.connection() as conn:
        for table in projection.tables:
            key = ", ".join(table.key)
            expected = rows(conn, "cut_reference", table.name, key)
            assert expected and rows(conn, "asof_cut", table.name, key) == expected
            assert len(rows(conn, "narrative", table.name, key)) > len(expected)  # the live tables went on
    assert container.runners["save_slots"].position() >= live_before

    refused = lorekeeper(live_server, "projections", "rebuild", "save_slots", "--until", "1", "--schema", "asof_cut")
    assert refused.returncode == 2 and "--replace" in refused.stdout
    live_schema = lorekeeper(
        live_server, "projections", "rebuild", "save_slots", "--until", "1", "--schema", "narrative"
    )
    assert live_schema.returncode == 2


def test_the_documented_ad_hoc_projection_replays_the_whole_history(http, live_server, tmp_path):
    play(http, live_server, players=4)
    ((module_name, code),) = documented("module").items()
    (tmp_path / module_name).write_text(code)
    target = f"{module_name.removesuffix('.py')}:SAVES_PER_DAY"

    for _ in range(2):  # run again: nothing twice
        replayed = lorekeeper(live_server, "replay", target, "--schema", "analysis", cwd=tmp_path)
        assert replayed.returncode == 0, replayed.stderr
        with live_server.container.pool.connection() as conn:
            found = conn.execute("SELECT sum(saves) AS saves FROM analysis.saves_per_day").fetchone()
            expected = conn.execute(
                "SELECT count(*) AS n FROM lorekeeper_events WHERE topic = 'lorekeeper.save_slot.ProgressSaved'"
            ).fetchone()
        assert found["saves"] == expected["n"] > 0

    wrong = lorekeeper(live_server, "replay", "saves_per_day:nothing_here", "--schema", "analysis", cwd=tmp_path)
    assert wrong.returncode == 2


def test_an_export_never_writes_into_or_cleans_a_directory_that_is_not_its_own(http, live_server, tmp_path):
    sign_up(http, "someone")
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.docx").write_bytes(b"years of work")
    refused = lorekeeper(live_server, "export", "--out", str(home))
    assert refused.returncode == 2 and "not an export" in refused.stdout
    assert (home / "thesis.docx").read_bytes() == b"years of work"

    out = tmp_path / "export"
    assert lorekeeper(live_server, "export", "--out", str(out)).returncode == 0
    (out / "notes.md").write_text("what I found")
    stray = out / "topic=lorekeeper.player.Created" / "day=2000-01-01" / "part-1-2-0.parquet"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"left by a killed run")
    sign_up(http, "another")
    assert lorekeeper(live_server, "export", "--out", str(out)).returncode == 0
    assert (out / "notes.md").read_text() == "what I found", "an analyst's own file stays"
    assert not stray.exists(), "what a killed run left unlisted goes"
    assert exported_positions(out) == store_positions(live_server)
