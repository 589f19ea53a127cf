"""The Echoes economy's use cases: money and items in (faucets), and the
market, each command one atomic write of the book and every wallet and
hangar its settlement touches.

A placed order that trades with three resting orders writes the book, the
placer's wallet and hangar, and each counterparty's wallet and hangar, in one
save: either every movement happened or none did. A movement that cannot
happen (a buyer without the money for escrow and fee, a seller without the
items) refuses the whole command, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from domain.echoes.hangars import Hangar, hangar_id
from domain.echoes.market import OrderBook
from domain.echoes.orders import Fees, Side, book_id
from domain.echoes.pilots import Pilot as PilotAggregate
from domain.echoes.pilots import PilotName, PilotNameTaken, pilot_name_id
from domain.echoes.settlement import settlement
from domain.echoes.universe import UNIVERSE_ID, Universe, UniverseData
from domain.echoes.wallets import FAUCETS, Wallet, wallet_id
from domain.kernel import clock
from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import InvalidCommand, NotFound
from domain.kernel.store import Lorekeeper, Written

DURATION_MAX = timedelta(days=90)


@dataclass(frozen=True)
class Pilot:
    """Who acts: a pilot (character) and the player who owns it."""

    character_id: UUID
    owner: UUID


@dataclass(frozen=True)
class _Loaded:
    version: int  # the Universe aggregate's
    data: UniverseData
    station_systems: dict[int, int]  # station id -> its system id
    module_type_ids: set[int]


class EchoesUseCases:
    def __init__(self, store: Lorekeeper, settings: Any = None) -> None:
        self.store = store
        self._static: _Loaded | None = None
        self.starting_grant = int(getattr(settings, "echoes_starting_grant", 500_000_000))
        self.fees = Fees(
            broker_bps=getattr(settings, "echoes_broker_fee_bps", Fees.broker_bps),
            sales_tax_bps=getattr(settings, "echoes_sales_tax_bps", Fees.sales_tax_bps),
            reprice_bps=getattr(settings, "echoes_reprice_fee_bps", Fees.reprice_bps),
        )

    # -- the universe and its pilots --------------------------------------------------

    def load_universe(self, data: UniverseData) -> Written:
        """An admin loads (a new version of) the static data."""

        def step() -> Written:
            try:
                universe = self.store.load(Universe, UNIVERSE_ID)
            except NotFound:
                universe = Universe()
            universe.load(data)
            return self.store.written(universe)

        return self.store.change(UNIVERSE_ID, step)

    def universe(self) -> UniverseData:
        return self._loaded().data

    def _loaded(self) -> _Loaded:
        """The loaded static data, validated and indexed once per loaded version
        (every order and every new hangar reads it)."""
        try:
            universe = self.store.load(Universe, UNIVERSE_ID)
        except NotFound:
            raise NotFound("no universe is loaded yet (lorekeeper echoes load-universe)") from None
        loaded = self._static
        if loaded is None or loaded.version != universe.version:
            data = universe.static()
            loaded = self._static = _Loaded(
                universe.version, data, {s.id: s.system_id for s in data.stations}, {m.id for m in data.module_types}
            )
        return loaded

    def _check_market(self, station_id: int, module_type_id: int) -> None:
        loaded = self._loaded()
        if station_id not in loaded.station_systems or module_type_id not in loaded.module_type_ids:
            raise NotFound(f"there is no market for module type {module_type_id} at station {station_id}")

    def create_pilot(self, owner: UUID, name: str, race: str, bloodline: str, system_id: int) -> Written:
        """A pilot with its name claimed, its wallet opened with the starting
        grant (a faucet), and recorded among its player's holdings: one write."""
        data = self.universe()

        def step() -> Written:
            pilot = PilotAggregate.create(owner, name, race, bloodline, system_id, data)
            try:
                self.store.load(PilotName, pilot_name_id(pilot.name))
                raise PilotNameTaken(f"the name {pilot.name!r} is taken", name=pilot.name)
            except NotFound:
                claim = PilotName.claim(pilot.name, pilot.id)
            wallet = Wallet(character_id=pilot.id, owner=owner)
            wallet.enter(self.starting_grant, "starting_grant", pilot.id)
            holdings = self.store.holdings(owner)
            holdings.acquire(pilot)
            holdings.acquire(wallet)
            return Written(pilot, self.store.write(pilot, claim, wallet, holdings))

        return self.store.change(owner, step)

    def get_pilot(self, pilot_id: UUID) -> PilotAggregate:
        return self.store.load(PilotAggregate, pilot_id)

    def reward(self, pilot_id: UUID, amount: int, reason: str, items: list[tuple[int, int, int]]) -> list[Written]:
        """What a trusted game server reports a pilot earned: money (a faucet)
        and items ``(station_id, module_type_id, quantity)`` at stations."""
        owner = self.get_pilot(pilot_id).owner_id
        actor = Pilot(pilot_id, owner)
        written = [self.grant(actor, amount, reason)] if amount else []
        written += [self.stock(actor, station, module, quantity, reason) for station, module, quantity in items]
        return written

    def jump(self, pilot: Pilot, destination: int) -> Written:
        data = self.universe()
        return self.store.command(
            PilotAggregate, pilot.character_id, lambda p: p.jump(destination, data), None, pilot.owner
        )

    # -- faucets ------------------------------------------------------------------

    def grant(self, pilot: Pilot, amount: int, reason: str, reference: UUID | None = None) -> Written:
        """Money made: a faucet (``wallets.FAUCETS``), never anything else."""
        if reason not in FAUCETS:
            raise InvalidCommand(f"{reason!r} is not a faucet; money enters only through {sorted(FAUCETS)}")

        def step() -> Written:
            wallet = self._wallet(pilot)
            wallet.enter(amount, reason, reference or uuid4())
            return self.store.written(wallet)

        return self.store.change(wallet_id(pilot.character_id), step)

    def stock(self, pilot: Pilot, station_id: int, module_type_id: int, quantity: int, reason: str) -> Written:
        """Items made (loot, a starter kit) into the pilot's hangar at a station."""

        def step() -> Written:
            hangar = self._hangar(pilot, station_id)
            hangar.move(module_type_id, quantity, reason, uuid4())
            return self.store.written(hangar)

        return self.store.change(hangar_id(pilot.character_id, station_id), step)

    # -- the market ---------------------------------------------------------------

    def place_order(
        self,
        pilot: Pilot,
        station_id: int,
        module_type_id: int,
        side: Side,
        price: int,
        quantity: int,
        duration: timedelta,
        now: datetime,
        order_id: UUID | None = None,
    ) -> Written:
        if not timedelta(0) < duration <= DURATION_MAX:
            raise InvalidCommand(f"an order lasts more than nothing and at most {DURATION_MAX.days} days")
        self._check_market(station_id, module_type_id)
        return self._on_book(
            station_id,
            module_type_id,
            lambda book: book.place(side, pilot.character_id, price, quantity, now + duration, self.fees, order_id),
            pilot,
            now,
        )

    def cancel_order(self, pilot: Pilot, station_id: int, module_type_id: int, order_id: UUID) -> Written:
        return self._on_book(station_id, module_type_id, lambda book: book.cancel(order_id, pilot.character_id), pilot)

    def reprice_order(self, pilot: Pilot, station_id: int, module_type_id: int, order_id: UUID, price: int) -> Written:
        return self._on_book(
            station_id,
            module_type_id,
            lambda book: book.reprice(order_id, pilot.character_id, price, self.fees),
            pilot,
        )

    def expire_orders(self, station_id: int, module_type_id: int, now: datetime) -> Written:
        """Close what is due on one book (a durable timer fires this)."""
        return self._on_book(station_id, module_type_id, lambda book: book.expire(now), None, now)

    def _on_book(
        self, station_id: int, module_type_id: int, decide: Any, pilot: Pilot | None, now: datetime | None = None
    ) -> Written:
        def step() -> Written:
            book = self._book(station_id, module_type_id)
            already = len(book.pending_events)
            book.expire(now or clock.now())  # what is due closes first: a book expires whenever it is touched
            decide(book)
            touched = self._settle(book, book.pending_events[already:], station_id, module_type_id, pilot)
            return self.store.written(book, *touched)

        return self.store.change(book_id(station_id, module_type_id), step)

    def _settle(
        self, book: OrderBook, events: list[Any], station_id: int, module_type_id: int, pilot: Pilot | None
    ) -> list[Aggregate]:
        """Apply every movement of the book's new events to the wallets and
        hangars they name, loading each once; the aggregates to save with it."""
        wallets: dict[UUID, Wallet] = {}
        hangars: dict[UUID, Hangar] = {}
        for event in events:
            for move in settlement(event):
                if move.kind == "money":
                    wallet = wallets.get(move.character_id)
                    if wallet is None:
                        wallet = wallets[move.character_id] = self._existing_wallet(move.character_id, pilot)
                    wallet.enter(move.amount, move.reason, move.reference)
                else:
                    hangar = hangars.get(move.character_id)
                    if hangar is None:
                        hangar = hangars[move.character_id] = self._existing_hangar(
                            move.character_id, station_id, pilot
                        )
                    hangar.move(module_type_id, move.amount, move.reason, move.reference)
        return [*wallets.values(), *hangars.values()]

    # -- loading ---------------------------------------------------------------------

    def book(self, station_id: int, module_type_id: int) -> OrderBook:
        """A book as it stands (empty if no order was ever placed on it); NotFound
        for a station or module type the universe does not have."""
        self._check_market(station_id, module_type_id)
        return self._book(station_id, module_type_id)

    def _book(self, station_id: int, module_type_id: int) -> OrderBook:
        try:
            return self.store.load(OrderBook, book_id(station_id, module_type_id))
        except NotFound:
            return OrderBook.open(station_id, module_type_id)

    def _wallet(self, pilot: Pilot) -> Wallet:
        try:
            return self.store.load(Wallet, wallet_id(pilot.character_id), actor_id=pilot.owner)
        except NotFound:
            return Wallet(character_id=pilot.character_id, owner=pilot.owner)

    def _hangar(self, pilot: Pilot, station_id: int) -> Hangar:
        try:
            return self.store.load(Hangar, hangar_id(pilot.character_id, station_id), actor_id=pilot.owner)
        except NotFound:
            return Hangar(
                character_id=pilot.character_id,
                station_id=station_id,
                system_id=self._system_of(station_id),
                owner=pilot.owner,
            )

    def _existing_wallet(self, character_id: UUID, pilot: Pilot | None) -> Wallet:
        """A counterparty's wallet exists (its order was paid for); the actor's
        own may be new (a pilot who never held money holds none)."""
        if pilot is not None and character_id == pilot.character_id:
            return self._wallet(pilot)
        return self.store.load(Wallet, wallet_id(character_id))

    def _existing_hangar(self, character_id: UUID, station_id: int, pilot: Pilot | None) -> Hangar:
        if pilot is not None and character_id == pilot.character_id:
            return self._hangar(pilot, station_id)
        try:
            return self.store.load(Hangar, hangar_id(character_id, station_id))
        except NotFound:  # a buyer's first purchase at this station opens a hangar there
            owner = self.store.load(Wallet, wallet_id(character_id)).owner
            return Hangar(
                character_id=character_id, station_id=station_id, system_id=self._system_of(station_id), owner=owner
            )

    def _system_of(self, station_id: int) -> int:
        system_id = self._loaded().station_systems.get(station_id)
        if system_id is None:
            raise NotFound(f"there is no station {station_id}", station_id=station_id)
        return system_id
