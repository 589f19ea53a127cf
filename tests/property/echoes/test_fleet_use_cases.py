"""A pilot's fleet through its use cases, under any sequence of fitting,
loading, docking, repairs and hits: every item the game server stocked is,
after every step, in the hangar, fitted, in a hold, in the wreck, or
destroyed with a ship (which drops at most what it had aboard, exactly what
its event says); health stays within 0..100; a refused command writes
nothing; a destroyed ship takes no command."""

from __future__ import annotations

import json
from collections import Counter
from types import SimpleNamespace
from uuid import uuid4

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.echoes import EchoesUseCases, Hangar, OrderBook, Pilot, PilotName, Ship, Universe, Wallet
from domain.echoes.access import Actor
from domain.echoes.hangars import hangar_id, wreck_id
from domain.echoes.universe import UniverseData
from domain.kernel.errors import DomainError, NotFound
from domain.kernel.store import Lorekeeper
from infra.echoes_universe import shipped_path
from infra.persistence import PERSISTENCE_ENV

DATA = UniverseData.model_validate(json.loads(shipped_path(1).read_text()))
STATION, SYSTEM = DATA.stations[0].id, DATA.stations[0].system_id
OTHER_STATION = DATA.stations[1].id  # another system's
MODULES = (2000, 2009, 2018, 2001)  # high, mid, low and another high
STOCK = 6
SLOTS = st.sampled_from(["high", "mid", "low", "rig"])


class FleetMachine(RuleBasedStateMachine):
    @initialize(types=st.lists(st.sampled_from(sorted(t.id for t in DATA.ship_types)), min_size=1, max_size=2))
    def open(self, types):
        self.store = Lorekeeper(
            {**PERSISTENCE_ENV, "PERSISTENCE_MODULE": "eventsourcing.popo", "APPLICATION_RECORDER_TOPIC": ""},
            aggregates=[OrderBook, Wallet, Hangar, Universe, Pilot, PilotName, Ship],
        )
        self.echoes = EchoesUseCases(self.store, SimpleNamespace(echoes_starting_grant=0))
        self.echoes.load_universe(DATA)
        self.owner = uuid4()
        self.pilot = self.echoes.create_pilot(self.owner, "Ada", "Caldari", "Deteis", SYSTEM).aggregate.id
        for module in MODULES:
            self.echoes.stock(Actor(self.pilot, self.owner), STATION, module, STOCK, "starter_kit")
        self.ships = [
            self.echoes.fleet.commission(self.pilot, t, STATION, f"Ship {i}").aggregate.id for i, t in enumerate(types)
        ]
        self.destroyed: Counter[int] = Counter()

    def run(self, command) -> bool:
        """Run a command; a refusal must write nothing."""
        before = self.store.recorder.max_notification_id()
        try:
            command()
        except DomainError:
            assert self.store.recorder.max_notification_id() == before, "a refused command wrote"
            return False
        return True

    def ship(self, index: int) -> Ship:
        return self.store.load(Ship, self.ships[index % len(self.ships)])

    def wreck(self) -> Counter[int]:
        try:
            items = self.store.load(Hangar, wreck_id(self.pilot, SYSTEM)).items
        except NotFound:
            return Counter()
        return Counter({int(k): v for k, v in items.items()})

    @rule(ship=st.integers(0, 1), module=st.sampled_from(MODULES), slot=st.integers(0, 6))
    def fit(self, ship, module, slot):
        self.run(lambda: self.echoes.fleet.fit(self.owner, self.ship(ship).id, module, slot))

    @rule(ship=st.integers(0, 1), slot_type=SLOTS, slot=st.integers(0, 6))
    def unfit(self, ship, slot_type, slot):
        self.run(lambda: self.echoes.fleet.unfit(self.owner, self.ship(ship).id, slot_type, slot))

    @rule(ship=st.integers(0, 1), module=st.sampled_from(MODULES), quantity=st.integers(-4, 4))
    def cargo(self, ship, module, quantity):
        self.run(lambda: self.echoes.fleet.load_cargo(self.owner, self.ship(ship).id, module, quantity))

    @rule(ship=st.integers(0, 1))
    def undock(self, ship):
        self.run(lambda: self.echoes.fleet.undock(self.owner, self.ship(ship).id))

    @rule(ship=st.integers(0, 1), station=st.sampled_from([STATION, OTHER_STATION]))
    def dock(self, ship, station):
        self.run(lambda: self.echoes.fleet.dock(self.owner, self.ship(ship).id, station))

    @rule(ship=st.integers(0, 1))
    def repair(self, ship):
        self.run(lambda: self.echoes.fleet.repair(self.owner, self.ship(ship).id))

    @rule(
        ship=st.integers(0, 1), damage=st.just(150.0) | st.floats(-10, 310, allow_nan=False), seed=st.integers(0, 2**32)
    )
    def hit(self, ship, damage, seed):
        target = self.ship(ship)
        aboard = self.aboard(target)
        wreck_before = self.wreck()
        if self.run(lambda: self.echoes.fleet.report_damage(target.id, damage, None, seed)):
            after = self.store.load(Ship, target.id)
            if after.destroyed:
                dropped = self.wreck() - wreck_before
                assert all(dropped[m] <= aboard[m] for m in dropped), "a wreck holds more than was aboard"
                events = self.store.repository.event_store.get(target.id)
                (destruction,) = [e for e in events if type(e) is Ship.Destroyed]
                assert Counter({d["module_type_id"]: d["quantity"] for d in destruction.dropped}) == dropped
                self.destroyed += aboard - dropped
                event("a ship destroyed")

    @rule(ship=st.integers(0, 1), seed=st.integers(0, 2**32))
    def sortie(self, ship, seed):
        """Out and shot down (two heavy hits), so that destructions are common."""
        self.undock(ship)
        self.hit(ship, 150.0, seed)
        self.hit(ship, 150.0, seed + 1)

    def aboard(self, ship: Ship) -> Counter[int]:
        held = Counter(f["module_type_id"] for f in ship.fitted.values())
        held.update({int(k): c["quantity"] for k, c in ship.cargo.items()})
        return held

    @invariant()
    def every_item_is_somewhere_or_destroyed(self):
        hangar = self.store.load(Hangar, hangar_id(self.pilot, STATION)).items
        total = Counter({int(k): v for k, v in hangar.items()}) + self.wreck() + self.destroyed
        for ship_id in self.ships:
            total += self.aboard(self.store.load(Ship, ship_id))
        assert total == Counter(dict.fromkeys(MODULES, STOCK))

    @invariant()
    def health_stays_in_range_and_a_wreck_is_empty(self):
        for ship_id in self.ships:
            ship = self.store.load(Ship, ship_id)
            assert all(0 <= getattr(ship, h) <= 100 for h in ("hull_health", "armor_health", "shield_health"))
            if ship.destroyed:
                assert not ship.fitted and not ship.cargo and ship.hull_health == 0


FleetMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
TestFleet = FleetMachine.TestCase
