"""The fleet's use cases one by one, on the in-memory store: what each writes
(the ship and the hangar it moves items between, with which reason and
reference), what it refuses and with which message, and the wreck."""

from __future__ import annotations

import json
from types import SimpleNamespace
from uuid import uuid4

import pytest

from domain.echoes import EchoesUseCases, Hangar, OrderBook, Pilot, PilotName, Ship, Universe, Wallet
from domain.echoes.access import Actor
from domain.echoes.fitting import DockingRefused
from domain.echoes.hangars import hangar_id, wreck_id
from domain.echoes.universe import UniverseData
from domain.kernel.errors import NotFound, PermissionDenied
from domain.kernel.holdings import Holdings, holdings_id
from domain.kernel.store import Lorekeeper
from infra.echoes_universe import shipped_path
from infra.persistence import PERSISTENCE_ENV

DATA = UniverseData.model_validate(json.loads(shipped_path(1).read_text()))
STATION, SYSTEM = DATA.stations[0].id, DATA.stations[0].system_id
GUN, SHIELD = 2000, 2009
RIFTER = 587


def fleet(data: UniverseData = DATA):
    store = Lorekeeper(
        {**PERSISTENCE_ENV, "PERSISTENCE_MODULE": "eventsourcing.popo", "APPLICATION_RECORDER_TOPIC": ""},
        aggregates=[OrderBook, Wallet, Hangar, Universe, Pilot, PilotName, Ship],
    )
    echoes = EchoesUseCases(store, SimpleNamespace(echoes_starting_grant=10))
    echoes.load_universe(data)
    owner = uuid4()
    pilot = echoes.create_pilot(owner, "Ada", "Caldari", "Deteis", SYSTEM).aggregate.id
    for module in (GUN, SHIELD):
        echoes.stock(Actor(pilot, owner), STATION, module, 10, "starter_kit")
    ship = echoes.fleet.commission(pilot, RIFTER, STATION, "  Ada's   Rifter ").aggregate
    return store, echoes, owner, pilot, ship


def moves(store, aggregate_id):
    return [
        (e.module_type_id, e.quantity, e.reason, e.reference)
        for e in store.repository.event_store.get(aggregate_id)
        if type(e) is Hangar.Moved
    ]


def test_a_commissioned_ship_is_docked_at_its_station_and_among_its_players_holdings():
    store, _, owner, pilot, ship = fleet()
    assert (ship.owner, ship.character_id, ship.ship_type_id) == (owner, pilot, RIFTER)
    assert (ship.location_system_id, ship.location_station_id, ship.name) == (
        SYSTEM,
        STATION,
        "Ada's   Rifter",
    )  # trimmed, not collapsed
    assert store.load(Holdings, holdings_id(owner)).owned[str(ship.id)] == "Ship"


def test_a_ship_is_refused_for_an_unknown_type_or_station():
    _, echoes, _, pilot, _ = fleet()
    with pytest.raises(NotFound, match="there is no ship type 9") as unknown:
        echoes.fleet.commission(pilot, 9, STATION, "X")
    assert unknown.value.details == {"ship_type_id": 9}
    with pytest.raises(NotFound, match="there is no station 9"):
        echoes.fleet.commission(pilot, RIFTER, 9, "X")


def test_fitting_moves_one_module_out_of_the_hangar_and_unfitting_back():
    store, echoes, owner, pilot, ship = fleet()
    fitted = echoes.fleet.fit(owner, ship.id, GUN, 1)
    assert fitted.position is not None and fitted.aggregate.fitted["high:1"]["module_type_id"] == GUN
    hangar = hangar_id(pilot, STATION)
    assert moves(store, hangar)[-1] == (GUN, -1, "fitted", ship.id)
    unfitted = echoes.fleet.unfit(owner, ship.id, "high", 1)
    assert not unfitted.aggregate.fitted
    assert moves(store, hangar)[-1] == (GUN, 1, "unfitted", ship.id)
    assert store.load(Hangar, hangar).held(GUN) == 10
    with pytest.raises(NotFound, match="there is no module type 9") as unknown:
        echoes.fleet.fit(owner, ship.id, 9, 0)
    assert unknown.value.details == {"module_type_id": 9}


def test_cargo_moves_between_hangar_and_hold_and_nothing_moves_for_nothing():
    store, echoes, owner, pilot, ship = fleet()
    loaded = echoes.fleet.load_cargo(owner, ship.id, SHIELD, 3)
    assert loaded.aggregate.cargo == {str(SHIELD): {"quantity": 3, "volume": 5}}
    assert moves(store, hangar_id(pilot, STATION))[-1] == (SHIELD, -3, "cargo", ship.id)
    before = store.recorder.max_notification_id()
    assert echoes.fleet.load_cargo(owner, ship.id, SHIELD, 0).position is None
    assert store.recorder.max_notification_id() == before
    with pytest.raises(NotFound, match="there is no module type 9"):
        echoes.fleet.load_cargo(owner, ship.id, 9, 1)


def test_another_players_ship_is_refused_and_any_ship_is_readable_without_a_player():
    _, echoes, owner, _, ship = fleet()
    with pytest.raises(PermissionDenied):
        echoes.fleet.undock(uuid4(), ship.id)
    assert echoes.fleet.ship(None, ship.id).id == ship.id == echoes.fleet.ship(owner, ship.id).id


def test_docking_and_repair_need_a_station_of_the_system_that_repairs():
    no_repair = DATA.model_copy(
        update={
            "stations": [s.model_copy(update={"services": ["market"]}) if s.id == STATION else s for s in DATA.stations]
        }
    )
    _, echoes, owner, _, ship = fleet(no_repair)
    assert echoes.fleet.undock(owner, ship.id).aggregate.location_station_id is None
    with pytest.raises(NotFound, match="there is no station 9"):
        echoes.fleet.dock(owner, ship.id, 9)
    echoes.fleet.report_damage(ship.id, 20, None, 1)
    assert echoes.fleet.dock(owner, ship.id, STATION).aggregate.location_station_id == STATION
    with pytest.raises(DockingRefused, match=f"station {STATION} does not repair ships"):
        echoes.fleet.repair(owner, ship.id)


def test_a_repair_at_a_repair_station_restores_every_layer():
    _, echoes, owner, _, ship = fleet()
    echoes.fleet.undock(owner, ship.id)
    echoes.fleet.report_damage(ship.id, 150, None, 1)
    echoes.fleet.dock(owner, ship.id, STATION)
    repaired = echoes.fleet.repair(owner, ship.id).aggregate
    assert (repaired.shield_health, repaired.armor_health, repaired.hull_health) == (100, 100, 100)


def test_a_destroyed_ship_drops_into_its_pilots_wreck_in_the_system():
    store, echoes, owner, pilot, ship = fleet()
    for module, slot in ((GUN, 0), (GUN, 1), (SHIELD, 0)):
        echoes.fleet.fit(owner, ship.id, module, slot)
    echoes.fleet.load_cargo(owner, ship.id, SHIELD, 4)
    echoes.fleet.undock(owner, ship.id)
    attacker = uuid4()
    hit = echoes.fleet.report_damage(ship.id, 300, attacker, roll_seed=3)
    assert hit.aggregate.destroyed and hit.position is not None
    (destroyed,) = [e for e in store.repository.event_store.get(ship.id) if type(e) is Ship.Destroyed]
    assert destroyed.attacker_id == attacker and destroyed.roll_seed == 3 and destroyed.system_id == SYSTEM
    wreck = store.load(Hangar, wreck_id(pilot, SYSTEM))
    assert (wreck.station_id, wreck.system_id, wreck.owner, wreck.character_id) == (None, SYSTEM, owner, pilot)
    assert {int(k): v for k, v in wreck.items.items()} == {
        d["module_type_id"]: d["quantity"] for d in destroyed.dropped
    }
    assert all(m[2:] == ("dropped", ship.id) for m in moves(store, wreck.id))
    # A second ship lost in the same system drops into the same wreck.
    second = echoes.fleet.commission(pilot, RIFTER, STATION, "Second").aggregate
    echoes.fleet.fit(owner, second.id, GUN, 0)
    echoes.fleet.undock(owner, second.id)
    echoes.fleet.report_damage(second.id, 300, None)  # the server draws the seed
    (lost,) = [e for e in store.repository.event_store.get(second.id) if type(e) is Ship.Destroyed]
    assert 0 <= lost.roll_seed < 2**63
    after = store.load(Hangar, wreck.id).held(GUN)
    assert after == wreck.held(GUN) + sum(d["quantity"] for d in lost.dropped)
