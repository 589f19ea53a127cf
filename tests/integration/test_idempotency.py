"""Idempotency keys on real PostgreSQL: the answer commits with the command's
events; retryable answers are not kept; one key's requests take turns."""

from __future__ import annotations

import threading
import time

from api.idempotency import answer_of
from api.problems import Problem
from domain.kernel.errors import ConcurrentWrite
from infra.idempotency import Stored
from tests.support import app_of


def ok(body: bytes = b"{}") -> Stored:
    return Stored(200, body, {"content-type": "application/json"})


def test_a_lost_race_or_an_outage_is_not_kept_so_the_retry_runs_the_command(container):
    store = container.idempotency
    ran = []

    def racing() -> Stored:
        ran.append("race")
        raise ConcurrentWrite("another writer changed this aggregate first")

    def unavailable() -> Stored:
        ran.append("503")
        raise Problem(503, "telemetry_unavailable", "Kafka is away")

    assert store.run("p", "k", {"a": 1}, racing, answer_of).status == 409
    assert store.run("p", "k", {"a": 1}, unavailable, answer_of).status == 503
    assert store.run("p", "k", {"a": 1}, lambda: ran.append("ok") or ok(b'{"n": 1}'), answer_of).body == b'{"n": 1}'
    replayed = store.run("p", "k", {"a": 1}, lambda: ran.append("again") or ok(), answer_of)
    assert replayed.body == b'{"n": 1}' and replayed.headers["Idempotent-Replayed"] == "true"
    assert ran == ["race", "503", "ok"]


def test_a_refusal_that_is_final_is_kept(container):
    store = container.idempotency
    first = store.run("p", "k2", {}, lambda: (_ for _ in ()).throw(Problem(422, "invalid", "no")), answer_of)
    again = store.run("p", "k2", {}, ok, answer_of)
    assert first.status == again.status == 422


def test_the_events_of_an_idempotent_command_commit_with_its_answer(container):
    app = app_of(container)
    player = app.accounts.create_player("Ada").aggregate

    def open_slot() -> Stored:
        written = app.narrative.open_save_slot(player.id, "main")
        return ok(str(written.position).encode())

    answer = container.idempotency.run(str(player.id), "slot-1", {"name": "main"}, open_slot, answer_of)
    slot_ids = app.accounts.get_player(player.id).save_slot_ids
    assert len(slot_ids) == 1
    with container.pool.connection() as conn:
        head = container.event_log.head(conn)
    assert int(answer.body) == head, "the answer names the last position its own events committed at"


def test_a_rolled_back_unit_leaves_no_events_and_no_stale_cache(container):
    app = app_of(container)
    player = app.accounts.create_player("Ada").aggregate
    version = app.accounts.get_player(player.id).version

    def rename_then_fail() -> Stored:
        app.accounts.update_player(player.id, display_name="Renamed")
        raise Problem(503, "unavailable", "then something failed")

    assert container.idempotency.run("p", "k3", {}, rename_then_fail, answer_of).status == 503
    assert app.accounts.get_player(player.id).version == version
    assert app.accounts.get_player(player.id).display_name == "Ada"


def test_one_keys_requests_take_turns_and_the_second_gets_the_first_answer(container):
    store = container.idempotency
    started = threading.Event()
    answers: list[Stored] = []

    def slow() -> Stored:
        started.set()
        time.sleep(0.5)
        return ok(b'{"first": true}')

    first = threading.Thread(target=lambda: answers.append(store.run("p", "k4", {}, slow, answer_of)))
    first.start()
    started.wait(5)
    second = store.run("p", "k4", {}, lambda: ok(b'{"second": true}'), answer_of)
    first.join(5)
    assert answers[0].body == second.body == b'{"first": true}'
    assert second.headers["Idempotent-Replayed"] == "true"
