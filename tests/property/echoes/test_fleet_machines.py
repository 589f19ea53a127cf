"""Pilots, ships and the universe under any sequence of commands: the rules
hold after every step (fitting budgets and slots, the hold's volume, known
systems, versions that only move forward), refusals change nothing, and
replaying the recorded events rebuilds the same aggregate."""

from __future__ import annotations

import json
from uuid import uuid4

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.echoes.pilots import Pilot
from domain.echoes.ships import Ship
from domain.echoes.universe import Universe, UniverseData
from infra.echoes_universe import shipped_path
from tests.property.support import RecordingMachineMixin, attempt

DATA = UniverseData.model_validate(json.loads(shipped_path(1).read_text()))
MODULES = {m.id: m for m in DATA.module_types}
TYPES = {t.id: t for t in DATA.ship_types}
SLOTS = st.sampled_from(["high", "mid", "low", "rig"])


class ShipMachine(RecordingMachineMixin, RuleBasedStateMachine):
    @initialize(type_id=st.sampled_from(sorted(TYPES)))
    def commission(self, type_id):
        self.recorded = []
        self.type = TYPES[type_id]
        station = DATA.stations[0]
        self.ship = Ship.commission(uuid4(), uuid4(), self.type, "Test", station.system_id, station.id)

    @rule(module_id=st.sampled_from(sorted(MODULES)), slot=st.integers(-1, 8))
    def fit(self, module_id, slot):
        attempt(self.ship, lambda: self.ship.fit(MODULES[module_id], self.type, slot, MODULES))

    @rule(slot_type=SLOTS, slot=st.integers(0, 7))
    def unfit(self, slot_type, slot):
        attempt(self.ship, lambda: self.ship.unfit(slot_type, slot))

    @rule(module_id=st.sampled_from(sorted(MODULES)), quantity=st.integers(-30, 30))
    def cargo(self, module_id, quantity):
        attempt(self.ship, lambda: self.ship.move_cargo(MODULES[module_id], quantity, self.type))

    @rule()
    def undock(self):
        attempt(self.ship, self.ship.undock)

    @rule(station=st.sampled_from(DATA.stations[:3]))
    def dock(self, station):
        attempt(self.ship, lambda: self.ship.dock(station.id, station.system_id))

    @rule()
    def repair(self):
        attempt(self.ship, self.ship.repair)

    @rule(damage=st.just(150.0) | st.floats(-1, 301, allow_nan=False), seed=st.integers(0, 2**63 - 1))
    def hit(self, damage, seed):
        aboard = len(self.ship.fitted) + sum(c["quantity"] for c in self.ship.cargo.values())
        dropped = []
        if attempt(self.ship, lambda: dropped.extend(self.ship.take_damage(damage, None, seed))):
            assert sum(d["quantity"] for d in dropped) <= aboard
            assert bool(dropped) <= self.ship.destroyed

    @invariant()
    def health_stays_within_0_and_100(self):
        assert all(0 <= getattr(self.ship, h) <= 100 for h in ("hull_health", "armor_health", "shield_health"))
        assert self.ship.destroyed == (self.ship.hull_health == 0)

    @invariant()
    def budgets_slots_and_hold_hold(self):
        power, cpu = self.ship.usage(MODULES)
        assert power <= self.type.power_grid_output and cpu <= self.type.cpu_output
        for key, fitted in self.ship.fitted.items():
            slot_type, number = key.split(":")
            assert MODULES[fitted["module_type_id"]].slot_type == slot_type
            assert 0 <= int(number) < self.type.slots(slot_type)  # type: ignore[arg-type]
        assert self.ship.cargo_used() <= self.type.cargo_capacity
        assert all(c["quantity"] > 0 for c in self.ship.cargo.values())
        assert self.ship.total_mass(self.type, MODULES) >= self.type.base_mass

    @invariant()
    def replay_rebuilds_the_ship(self):
        self.check_replay(self.ship)


class PilotMachine(RecordingMachineMixin, RuleBasedStateMachine):
    @initialize(system=st.sampled_from([s.id for s in DATA.systems]))
    def create(self, system):
        self.recorded = []
        self.pilot = Pilot.create(uuid4(), "Ada", "Caldari", "Deteis", system, DATA)

    @rule(destination=st.sampled_from([s.id for s in DATA.systems] + [1]))
    def jump(self, destination):
        before = self.pilot.current_system_id
        if attempt(self.pilot, lambda: self.pilot.jump(destination, DATA)):
            assert self.pilot.current_system_id == destination != before

    @rule()
    def erase(self):
        attempt(self.pilot, self.pilot.erase_personal)

    @invariant()
    def it_is_always_somewhere_known(self):
        assert self.pilot.current_system_id in {s.id for s in DATA.systems}

    @invariant()
    def replay_rebuilds_the_pilot(self):
        self.check_replay(self.pilot)


class UniverseMachine(RecordingMachineMixin, RuleBasedStateMachine):
    @initialize()
    def open(self):
        self.recorded = []
        self.universe = Universe()
        self.highest = 0

    @rule(version=st.integers(1, 4))
    def load(self, version):
        data = DATA.model_copy(update={"version": version})
        if attempt(self.universe, lambda: self.universe.load(data)):
            self.highest = max(self.highest, version)

    @invariant()
    def versions_only_move_forward(self):
        loaded = self.universe.data["version"] if self.universe.data else 0
        assert loaded == self.highest

    @invariant()
    def replay_rebuilds_the_universe(self):
        self.check_replay(self.universe)


for machine in (ShipMachine, PilotMachine, UniverseMachine):
    machine.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
TestShip = ShipMachine.TestCase
TestPilot = PilotMachine.TestCase
TestUniverse = UniverseMachine.TestCase
