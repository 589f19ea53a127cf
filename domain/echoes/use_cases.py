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

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID, uuid4

from domain.echoes.access import Actor, EchoesAccess
from domain.echoes.fleet import Fleet
from domain.echoes.hangars import hangar_id
from domain.echoes.market import OrderBook
from domain.echoes.orders import Fees, Side, book_id, order_book_of
from domain.echoes.pilots import Pilot, PilotName, PilotNameTaken, pilot_name_id
from domain.echoes.settlement import settlement
from domain.echoes.universe import UNIVERSE_ID, Universe, UniverseData
from domain.echoes.wallets import FAUCETS, Wallet, wallet_id
from domain.kernel import clock
from domain.kernel.combining import Batch, Combined, running
from domain.kernel.errors import InvalidCommand, NotFound
from domain.kernel.store import Lorekeeper, Written

DURATION_MAX = timedelta(days=90)


class EchoesUseCases(EchoesAccess):
    def __init__(self, store: Lorekeeper, settings: Any = None) -> None:
        super().__init__(store)
        self.fleet = Fleet(store)
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

    def create_pilot(self, owner: UUID, name: str, race: str, bloodline: str, system_id: int) -> Written:
        """A pilot with its name claimed, its wallet opened with the starting
        grant (a faucet), and recorded among its player's holdings: one write."""
        data = self.universe()

        def step() -> Written:
            pilot = Pilot.create(owner, name, race, bloodline, system_id, data)
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

    def get_pilot(self, pilot_id: UUID) -> Pilot:
        return self.store.load(Pilot, pilot_id)

    def reward(self, pilot_id: UUID, amount: int, reason: str, items: list[tuple[int, int, int]]) -> list[Written]:
        """What a trusted game server reports a pilot earned: money (a faucet)
        and items ``(station_id, module_type_id, quantity)`` at stations."""
        owner = self.get_pilot(pilot_id).owner_id
        actor = Actor(pilot_id, owner)
        written = [self.grant(actor, amount, reason)] if amount else []
        written += [self.stock(actor, station, module, quantity, reason) for station, module, quantity in items]
        return written

    def jump(self, pilot: Actor, destination: int) -> Written:
        data = self.universe()
        return self.store.command(Pilot, pilot.character_id, lambda p: p.jump(destination, data), None, pilot.owner)

    # -- faucets ------------------------------------------------------------------

    def grant(self, pilot: Actor, amount: int, reason: str, reference: UUID | None = None) -> Written:
        """Money made: a faucet (``wallets.FAUCETS``), never anything else."""
        if reason not in FAUCETS:
            raise InvalidCommand(f"{reason!r} is not a faucet; money enters only through {sorted(FAUCETS)}")

        def step() -> Written:
            wallet = self._wallet(pilot)
            wallet.enter(amount, reason, reference or uuid4())
            return self.store.written(wallet)

        return self.store.change(wallet_id(pilot.character_id), step)

    def stock(self, pilot: Actor, station_id: int, module_type_id: int, quantity: int, reason: str) -> Written:
        """Items made (loot, a starter kit) into the pilot's hangar at a station."""

        def step() -> Written:
            hangar = self._hangar(pilot, station_id)
            hangar.move(module_type_id, quantity, reason, uuid4())
            return self.store.written(hangar)

        return self.store.change(hangar_id(pilot.character_id, station_id), step)

    # -- the market ---------------------------------------------------------------

    def placing(
        self,
        pilot: Actor,
        station_id: int,
        module_type_id: int,
        side: Side,
        price: int,
        quantity: int,
        duration: timedelta,
        now: datetime,
        order_id: UUID | None = None,
    ) -> Combined[OrderBook]:
        """``place_order`` as a command on its book, to run from a thread or a loop."""
        if not timedelta(0) < duration <= DURATION_MAX:
            raise InvalidCommand(f"an order lasts more than nothing and at most {DURATION_MAX.days} days")

        def check() -> None:
            self._check_market(station_id, module_type_id)
            self._check_actor(pilot)

        return self._on_book(
            station_id,
            module_type_id,
            lambda book: book.place(side, pilot.character_id, price, quantity, now + duration, self.fees, order_id),
            pilot,
            now,
            check,
        )

    def cancelling(self, pilot: Actor, station_id: int, module_type_id: int, order_id: UUID) -> Combined[OrderBook]:
        """``cancel_order`` as a command on its book."""
        return self._on_book(station_id, module_type_id, lambda book: book.cancel(order_id, pilot.character_id), pilot)

    def repricing(
        self, pilot: Actor, station_id: int, module_type_id: int, order_id: UUID, price: int
    ) -> Combined[OrderBook]:
        """``reprice_order`` as a command on its book."""
        return self._on_book(
            station_id,
            module_type_id,
            lambda book: book.reprice(order_id, pilot.character_id, price, self.fees),
            pilot,
        )

    # The same commands, run from the calling thread (a loop awaits ``run_async``).
    place_order = running(placing)
    cancel_order = running(cancelling)
    reprice_order = running(repricing)

    def expire_orders(self, station_id: int, module_type_id: int, now: datetime) -> Written:
        """Close what is due on one book (a durable timer fires this)."""
        return self._on_book(station_id, module_type_id, lambda book: book.expire(now), None, now).run()

    def expire_order(self, order_id: UUID, due: datetime) -> Written | None:
        """An order's expiry timer fired (``timers``): close what is due on its
        book; nothing for an id that names no book."""
        book = order_book_of(order_id)
        return None if book is None else self.expire_orders(*book, max(due, clock.now()))

    def _on_book(
        self,
        station_id: int,
        module_type_id: int,
        decide: Any,
        pilot: Actor | None,
        now: datetime | None = None,
        check: Callable[[], None] | None = None,
    ) -> Combined[OrderBook]:
        """A command on a book: the pilot's check first (refusing that command
        alone), then decided with the others waiting on the book, in one write
        with every wallet and hangar its trades move (kernel/combining.py)."""
        if check is None and pilot is not None:
            check = partial(self._check_actor, pilot)
        key = book_id(station_id, module_type_id)

        def command(batch: Batch) -> OrderBook:
            book = batch.get(key, lambda: self._book(station_id, module_type_id))
            already = len(book.pending_events)
            book.expire(now or clock.now())  # what is due closes first: a book expires whenever it is touched
            decide(book)
            self._settle(batch, book.pending_events[already:], station_id, module_type_id, pilot)
            return book

        return self.store.combined(key, command, check)

    def _settle(
        self, batch: Batch, events: list[Any], station_id: int, module_type_id: int, pilot: Actor | None
    ) -> None:
        """Apply every movement of the book's new events to the wallets and
        hangars they name, each loaded once into the batch that saves them."""
        for event in events:
            for move in settlement(event):
                if move.kind == "money":
                    wallet = batch.get(
                        wallet_id(move.character_id), partial(self._existing_wallet, move.character_id, pilot)
                    )
                    wallet.enter(move.amount, move.reason, move.reference)
                else:
                    hangar = batch.get(
                        hangar_id(move.character_id, station_id),
                        partial(self._existing_hangar, move.character_id, station_id, pilot),
                    )
                    hangar.move(module_type_id, move.amount, move.reason, move.reference)

    # -- books ---------------------------------------------------------------------

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
