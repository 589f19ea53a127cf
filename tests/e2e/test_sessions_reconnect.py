"""Reconnects under races, and sessions whose client never comes back."""

from __future__ import annotations

import time
import uuid

import pytest

from domain.live.sessions import Status
from infra.entrypoints.bootstrap import Container
from tests.e2e.ws_client import Client, start, ws_url
from tests.integration.kafka_helpers import wait_until
from tests.support import app_of


def test_a_reconnect_at_once_after_closing_always_resumes_and_the_old_loss_does_not_touch_it(http, live_server):
    """Thirty times: close the socket and resume it straight away with its token.
    (The old socket's loss used to race the resume: most tries ended in 1011.)"""
    client, player, _ = start(http)
    token, seq = client.welcome["reconnect_token"], 0
    for _ in range(30):
        client.close()
        client = Client(ws_url(http), player)
        welcome = client.hello(reconnect_token=token)
        assert welcome["type"] == "welcome" and welcome["resumed"] is True, welcome
        token, seq = welcome["reconnect_token"], seq + 1
        assert client.act(seq)["type"] == "ack"
    time.sleep(0.5)  # every old socket's loss has landed by now
    session = app_of(live_server.container).live.get_session(uuid.UUID(client.welcome["session_id"]))
    assert session.status == Status.ACTIVE and session.connection == 31
    assert client.act(seq + 1)["type"] == "ack"
    client.close()


@pytest.mark.parametrize("live_server", [{"reconnect_window_seconds": 1}], indirect=True)
def test_a_session_left_reconnecting_ends_when_the_window_passes_even_across_a_restart(http, live_server, tmp_path):
    client, _, _ = start(http)
    session_id = uuid.UUID(client.welcome["session_id"])
    client.close()  # the client never returns
    first = live_server.container
    wait_until(lambda: _timers(first) == [session_id], 10, message="the expiry timer set")
    first.stop_background()  # the server goes down before the window passes
    assert app_of(first).live.get_session(session_id).status == Status.RECONNECTING

    restarted = Container(first.settings)  # another process over the same database
    try:
        time.sleep(1.1)  # the window passes with nothing running
        assert restarted.timer_worker.catch_up() == 1
        assert _timers(restarted) == []
        assert _ended(restarted, session_id)
        assert restarted.timer_worker.catch_up() == 0, "fired once"
    finally:
        restarted.close()


def _timers(container: Container) -> list[uuid.UUID]:
    with container.pool.connection() as conn:
        return [r["subject"] for r in conn.execute("SELECT subject FROM lorekeeper_timers").fetchall()]


def _ended(container: Container, session_id: uuid.UUID) -> bool:
    container.store.evict(session_id)
    return app_of(container).live.get_session(session_id).status == Status.TERMINATING
