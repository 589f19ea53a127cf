"""Erasure, what mutation testing showed unstated: who may erase, that every
owned aggregate records its own erasure (its fields would read as erased
anyway once the key is gone, so the events are what proves the work), in
chunks, and that another player's aggregate is never touched."""

from __future__ import annotations

import pytest

from domain.kernel.errors import PermissionDenied
from domain.live import Character
from tests.support import memory_app


def erased_events(app, aggregate_id) -> int:
    return sum(isinstance(e, Character.Erased) for e in app.store.events.get(aggregate_id))


def test_only_the_player_or_an_admin_may_erase():
    app = memory_app()
    ada, bob = (app.accounts.create_player(n).aggregate for n in ("Ada", "Bob"))
    with pytest.raises(PermissionDenied) as refused:
        app.erasure.erase(ada.id, actor_id=bob.id)
    assert refused.value.message == "only the player (or an admin) may erase it"
    assert not app.accounts.get_player(ada.id).erased
    assert app.erasure.erase(ada.id, actor_id=ada.id).aggregate.erased


@pytest.mark.parametrize(("characters", "chunk"), [(5, 2), (4, 2), (1, 3), (3, 1)])
def test_every_owned_aggregate_records_its_erasure_chunk_by_chunk(characters, chunk):
    app = memory_app()
    app.erasure.chunk = chunk
    ada = app.accounts.create_player("Ada").aggregate
    owned = [app.live.create_character(ada.id, f"Ada {i}").aggregate for i in range(characters)]
    writes = []
    write = app.store.write
    app.store.write = lambda *aggregates: (
        writes.append(sum(isinstance(a, Character) for a in aggregates)) or write(*aggregates)
    )
    app.erasure.erase(ada.id)
    assert [erased_events(app, c.id) for c in owned] == [1] * characters
    assert [n for n in writes if n] == [min(chunk, characters - start) for start in range(0, characters, chunk)]


def test_an_aggregate_of_another_player_is_never_touched():
    app = memory_app()
    ada, bob = (app.accounts.create_player(n).aggregate for n in ("Ada", "Bob"))
    mine = app.live.create_character(ada.id, "Ada").aggregate
    theirs = app.live.create_character(bob.id, "Bob").aggregate
    holdings = app.store.holdings(ada.id)
    holdings.acquire(theirs)  # a holdings record that names someone else's character
    app.store.write(holdings)
    app.erasure.erase(ada.id)
    assert erased_events(app, mine.id) == 1
    assert erased_events(app, theirs.id) == 0
    assert app.live.get_character(theirs.id).display_name == "Bob"
