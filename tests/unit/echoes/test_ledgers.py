"""Wallets and hangars, rule by rule: what enters and leaves with which
reason, the bounds, the messages a client reads; pilots' erasure; rewards a
game server reports."""

from __future__ import annotations

import json
from uuid import uuid4

import pytest

from domain.echoes.access import Actor
from domain.echoes.hangars import QUANTITY_MAX, Hangar, InsufficientItems, hangar_id
from domain.echoes.pilots import Pilot, PilotNameTaken
from domain.echoes.universe import UniverseData
from domain.echoes.use_cases import EchoesUseCases
from domain.echoes.wallets import AMOUNT_MAX, FAUCETS, SINKS, InsufficientFunds, InvalidEntry, Wallet, wallet_id
from domain.kernel.aggregate import ERASED
from domain.kernel.errors import InvalidCommand, NotFound
from infra.echoes_universe import shipped_path
from tests.support import memory_app

DATA = UniverseData.model_validate(json.loads(shipped_path(1).read_text()))


def wallet() -> Wallet:
    fresh = Wallet(character_id=uuid4(), owner=uuid4())
    fresh.collect_events()
    return fresh


def test_a_wallet_starts_empty_and_records_each_entry_with_the_balance_after():
    w = wallet()
    assert w.balance == 0 and w.id == wallet_id(w.character_id)
    w.enter(100, "starting_grant", uuid4())
    w.enter(-30, "broker_fee", uuid4())
    w.enter(0, "broker_fee", uuid4())  # nothing to record
    entries = w.collect_events()
    assert [(e.amount, e.reason, e.balance) for e in entries] == [(100, "starting_grant", 100), (-30, "broker_fee", 70)]
    assert all(e.character_id == w.character_id for e in entries)


def test_a_wallet_never_goes_negative_and_says_what_it_holds():
    w = wallet()
    w.enter(50, "bounty", uuid4())
    w.collect_events()
    with pytest.raises(InsufficientFunds) as refused:
        w.enter(-51, "market_escrow", uuid4())
    assert refused.value.message == "the wallet holds 50, 51 is needed"
    assert refused.value.details == {"balance": 50, "needed": 51}
    w.enter(-50, "market_escrow", uuid4())  # exactly all of it
    assert w.balance == 0


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [
        (-1, "starting_grant", "starting_grant adds money, it cannot take 1"),
        (-1, "market_sale", "market_sale adds money, it cannot take 1"),
        (1, "broker_fee", "broker_fee takes money, it cannot add 1"),
        (1, "market_escrow", "market_escrow takes money, it cannot add 1"),
        (1, "printing_money", "unknown wallet entry reason 'printing_money'"),
        (AMOUNT_MAX + 1, "bounty", f"an entry moves at most {AMOUNT_MAX} (minor units)"),
        (-AMOUNT_MAX - 1, "broker_fee", f"an entry moves at most {AMOUNT_MAX} (minor units)"),
    ],
)
def test_each_entry_reason_has_its_direction(amount, reason, message):
    with pytest.raises(InvalidEntry) as refused:
        wallet().enter(amount, reason, uuid4())
    assert refused.value.message == message


def test_faucets_and_sinks_are_disjoint():
    assert not FAUCETS & SINKS and "starting_grant" in FAUCETS and "sales_tax" in SINKS
    w = wallet()
    w.enter(AMOUNT_MAX, "bounty", uuid4())  # exactly the bound
    assert w.balance == AMOUNT_MAX


def test_a_hangar_holds_positive_quantities_within_bounds():
    h = Hangar(character_id=uuid4(), station_id=60003760, system_id=30000140, owner=uuid4())
    assert h.id == hangar_id(h.character_id, 60003760) and h.held(2000) == 0
    h.collect_events()
    h.move(2000, 5, "loot", uuid4())
    h.move(2000, 0, "loot", uuid4())
    (moved,) = h.collect_events()
    assert (moved.quantity, moved.station_id, moved.system_id, moved.character_id) == (
        5,
        60003760,
        30000140,
        h.character_id,
    )
    with pytest.raises(InsufficientItems) as refused:
        h.move(2000, -6, "market_escrow", uuid4())
    assert refused.value.details == {"held": 5, "needed": 6}
    assert refused.value.message == "the hangar holds 5 of module type 2000, 6 are needed"
    h.move(2000, -5, "market_escrow", uuid4())
    assert h.items == {}
    with pytest.raises(InvalidCommand, match="one move carries at most"):
        h.move(2000, QUANTITY_MAX + 1, "loot", uuid4())
    h.move(2000, QUANTITY_MAX, "loot", uuid4())
    with pytest.raises(InvalidCommand, match="holds at most"):
        h.move(2000, 1, "loot", uuid4())


def test_an_erased_pilot_forgets_its_name_once():
    p = Pilot.create(uuid4(), "Ada", "Caldari", "Deteis", DATA.systems[0].id, DATA)
    p.collect_events()
    p.erase_personal()
    p.erase_personal()
    assert p.name == ERASED and [type(e).__name__ for e in p.collect_events()] == ["Erased"]


def echoes_app() -> EchoesUseCases:
    app = memory_app()
    echoes = EchoesUseCases(app.store)
    echoes.load_universe(DATA)
    return echoes


def test_a_game_servers_rewards_land_in_the_wallet_and_hangars():
    echoes = echoes_app()
    owner = uuid4()
    pilot = echoes.create_pilot(owner, "Ada", "Caldari", "Deteis", DATA.systems[0].id).aggregate
    written = echoes.reward(pilot.id, 1_000, "bounty", [(60003760, 2000, 3), (60003761, 2001, 2)])
    assert len(written) == 3
    store = echoes.store
    assert store.load(Wallet, wallet_id(pilot.id)).balance == echoes.starting_grant + 1_000
    assert store.load(Hangar, hangar_id(pilot.id, 60003760)).held(2000) == 3
    assert store.load(Hangar, hangar_id(pilot.id, 60003761)).system_id == next(
        s.system_id for s in DATA.stations if s.id == 60003761
    )
    assert echoes.reward(pilot.id, 0, "loot", []) == []
    with pytest.raises(NotFound, match="no station 1"):
        echoes.reward(pilot.id, 0, "loot", [(1, 2000, 1)])
    with pytest.raises(InvalidCommand, match="not a faucet"):
        echoes.reward(pilot.id, 5, "loot", [])
    with pytest.raises(PilotNameTaken) as taken:
        echoes.create_pilot(uuid4(), "ADA", "Amarr", "Khanid", DATA.systems[0].id)
    assert taken.value.details == {"name": "ADA"}


def test_without_a_universe_nothing_is_created():
    echoes = EchoesUseCases(memory_app().store)
    with pytest.raises(NotFound, match="no universe is loaded yet"):
        echoes.create_pilot(uuid4(), "Ada", "Caldari", "Deteis", 30000140)
    assert echoes.starting_grant == 500_000_000 and echoes.fees.broker_bps == 300
    moved = Actor(uuid4(), uuid4())
    assert moved.character_id != moved.owner


def test_wallets_and_hangars_come_back_whole_from_a_snapshot():
    """A snapshot's JSON holds ids as text: the aggregate must get them back
    as UUIDs, or the owner's next command is refused as someone else's."""
    from tests.property.support import restore_snapshot

    w = wallet()
    w.enter(10, "bounty", uuid4())
    h = Hangar(character_id=uuid4(), station_id=60003760, system_id=30000140, owner=uuid4())
    h.move(2000, 2, "loot", uuid4())
    for aggregate in (w, h):
        aggregate.collect_events()
        restored = restore_snapshot(aggregate)
        assert restored == aggregate and restored.owner_id == aggregate.owner_id
