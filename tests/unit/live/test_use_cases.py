"""Live play's use cases on the in-memory store."""

from __future__ import annotations

import pytest

from domain.kernel.errors import PermissionDenied
from domain.live.sessions import Status
from tests.support import memory_app


def test_a_character_is_recorded_among_its_players_holdings():
    app = memory_app()
    ada = app.accounts.create_player("Ada").aggregate
    character = app.live.create_character(ada.id, "Ada", 3, 4).aggregate
    assert app.store.holdings(ada.id).ids() == [character.id]


def test_a_session_opens_only_on_ones_own_character_and_starts_active():
    app = memory_app()
    ada, bob = (app.accounts.create_player(n).aggregate for n in ("Ada", "Bob"))
    character = app.live.create_character(ada.id, "Ada").aggregate
    with pytest.raises(PermissionDenied):
        app.live.open_session(bob.id, character.id, "1")
    session = app.live.open_session(ada.id, character.id, "1").aggregate
    assert session.status == Status.ACTIVE


def test_an_action_moves_the_character_in_the_same_write_and_a_repeat_records_nothing():
    app = memory_app()
    ada = app.accounts.create_player("Ada").aggregate
    character = app.live.create_character(ada.id, "Ada").aggregate
    session = app.live.open_session(ada.id, character.id, "1").aggregate
    first = app.live.record_action(session.id, 1, "move", {"x": 1, "y": 1})
    assert first.recorded and first.position is not None
    assert app.live.get_character(character.id).position_x == 1
    again = app.live.record_action(session.id, 1, "move", {"x": 2, "y": 2})
    assert not again.recorded and again.position is None
    assert app.live.get_character(character.id).position_x == 1


def test_the_delta_since_an_ack_is_the_actions_after_it_in_order():
    app = memory_app()
    ada = app.accounts.create_player("Ada").aggregate
    character = app.live.create_character(ada.id, "Ada").aggregate
    session = app.live.open_session(ada.id, character.id, "1").aggregate
    for seq in range(1, 6):
        app.live.record_action(session.id, seq, "chat", {"text": f"line {seq}"})
    delta = app.live.actions_after(session.id, 2, 5, limit=10)
    assert [e.sequence_number for e in delta] == [3, 4, 5]
    assert app.live.actions_after(session.id, 0, 5, limit=3) is None  # past the limit: send a snapshot
    assert app.live.actions_after(session.id, 5, 5, limit=3) == []
