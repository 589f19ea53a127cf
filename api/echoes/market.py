"""Pilots and the market: orders, books, the wallet journal. Money is integer
minor units (ISK cents) everywhere. (The static universe is loaded by an
admin command, ``lorekeeper echoes load-universe``, not over HTTP.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field, model_validator
from starlette.responses import Response

from api import routing
from api.deps import CommandDep, wired
from api.openapi import problems
from api.problems import Problem
from api.responses import stored
from api.schemas import Request
from domain.echoes import EchoesUseCases, OrderBook, Pilot
from domain.echoes.access import Actor
from domain.echoes.orders import PRICE_MAX, QUANTITY_MAX, new_order_id
from domain.kernel.store import Written
from infra.echoes_universe import shipped
from infra.idempotency import Stored

router = routing.router(prefix="/v1/echoes", tags=["echoes"])
Echoes = Annotated[EchoesUseCases, wired(EchoesUseCases)]


class PilotIn(Request):
    name: str = Field(min_length=1, max_length=37)
    race: str = Field(max_length=20)
    bloodline: str = Field(max_length=20)
    system_id: int = Field(ge=1, le=2**31 - 1)


class PilotOut(BaseModel):
    id: UUID
    user_id: UUID
    name: str
    race: str
    bloodline: str
    current_system_id: int
    version: int
    position: int | None = None


class JumpIn(Request):
    system_id: int = Field(ge=1, le=2**31 - 1)


class OrderIn(Request):
    pilot_id: UUID = Field(strict=False)
    station_id: int = Field(ge=1, le=2**31 - 1)
    module_type_id: int = Field(ge=1, le=2**31 - 1)
    side: Literal["buy", "sell"]
    price: int = Field(ge=1, le=PRICE_MAX, description="Per unit, in minor units.")
    quantity: int = Field(ge=1, le=QUANTITY_MAX)
    duration_days: int | None = Field(None, ge=1, le=90, description="How long the order rests (or duration_seconds).")
    duration_seconds: int | None = Field(None, ge=1, le=90 * 86_400, description="For short-lived orders.")

    @model_validator(mode="after")
    def one_duration(self) -> OrderIn:
        if (self.duration_days is None) == (self.duration_seconds is None):
            raise ValueError("give exactly one of duration_days and duration_seconds")
        return self

    def duration(self) -> timedelta:
        return timedelta(days=self.duration_days or 0, seconds=self.duration_seconds or 0)


class UniverseIn(Request):
    version: int = Field(ge=1, le=1000, description="A universe version shipped with this server.")


class UniverseOut(BaseModel):
    version: int
    name: str
    position: int | None


class ItemReward(Request):
    station_id: int = Field(ge=1, le=2**31 - 1)
    module_type_id: int = Field(ge=1, le=2**31 - 1)
    quantity: int = Field(ge=1, le=1_000_000)


class RewardIn(Request):
    amount: int = Field(0, ge=0, le=10**12, description="Money earned, in minor units (a faucet).")
    reason: Literal["bounty", "mission_reward", "loot"]
    items: list[ItemReward] = Field(default_factory=list, max_length=20)


class RewardOut(BaseModel):
    position: int | None


class CancelIn(Request):
    pilot_id: UUID = Field(strict=False)
    station_id: int = Field(ge=1, le=2**31 - 1)
    module_type_id: int = Field(ge=1, le=2**31 - 1)


class PriceLevel(BaseModel):
    price: int
    quantity: int
    orders: int


class BookOut(BaseModel):
    station_id: int
    module_type_id: int
    buy: list[PriceLevel] = Field(description="Price levels, best first.")
    sell: list[PriceLevel]
    version: int
    position: int | None = None
    order_id: UUID | None = Field(None, description="The order just placed (what is left of it rests on the book).")


def pilot_out(pilot: Pilot, position: int | None) -> PilotOut:
    return PilotOut(
        id=pilot.id,
        user_id=pilot.owner_id,
        name=pilot.name,
        race=pilot.race,
        bloodline=pilot.bloodline,
        current_system_id=pilot.current_system_id,
        version=pilot.version,
        position=position,
    )


def book_out(book: OrderBook, position: int | None, order_id: UUID | None = None) -> BookOut:
    return BookOut(
        order_id=order_id,
        station_id=book.station_id,
        module_type_id=book.module_type_id,
        buy=[PriceLevel(price=p, quantity=q, orders=n) for p, q, n in book.depth("buy")],
        sell=[PriceLevel(price=p, quantity=q, orders=n) for p, q, n in book.depth("sell")],
        version=book.version,
        position=position,
    )


@router.post("/universe", response_model=UniverseOut, responses=problems(403, 404))
def load_universe(body: UniverseIn, cmd: CommandDep, echoes: Echoes) -> Response:
    """Load a universe version shipped with the server (admin); again, nothing changes."""
    if not cmd.principal.is_admin:
        raise Problem(403, "forbidden", "only admins load the universe")
    data = shipped(body.version)
    if data is None:
        raise Problem(404, "not_found", f"this server ships no universe version {body.version}")

    def command() -> Stored:
        written = echoes.load_universe(data)
        out = UniverseOut(version=data.version, name=data.name, position=written.position)
        return stored(200, out, version=written.aggregate.version)

    return cmd.run(body.model_dump(), command)


@router.post("/pilots/{pilot_id}/rewards", response_model=RewardOut, responses=problems(403, 404))
def reward(pilot_id: UUID, body: RewardIn, cmd: CommandDep, echoes: Echoes) -> Response:
    """What a trusted game server (role ``server``) reports a pilot earned:
    money through a faucet, items into hangars."""
    if "server" not in cmd.principal.roles:
        raise Problem(403, "forbidden", "rewards are reported by a game server (role server)")

    def command() -> Stored:
        items = [(i.station_id, i.module_type_id, i.quantity) for i in body.items]
        written = echoes.reward(pilot_id, body.amount, body.reason, items)
        positions = [w.position for w in written if w.position is not None]
        return stored(200, RewardOut(position=max(positions) if positions else None), version=1)

    return cmd.run({"pilot": str(pilot_id), **body.model_dump()}, command)


@router.post("/pilots", status_code=201, response_model=PilotOut)
def create_pilot(body: PilotIn, cmd: CommandDep, echoes: Echoes) -> Response:
    """A pilot for the calling player, its name unique across the universe."""

    def command() -> Stored:
        written = echoes.create_pilot(cmd.principal.subject, body.name, body.race, body.bloodline, body.system_id)
        pilot = written.aggregate
        out = pilot_out(pilot, written.position)
        return stored(201, out, version=pilot.version, location=f"/v1/echoes/pilots/{pilot.id}")

    return cmd.run(body.model_dump(), command)


@router.post("/pilots/{pilot_id}/jump", response_model=PilotOut)
def jump(pilot_id: UUID, body: JumpIn, cmd: CommandDep, echoes: Echoes) -> Response:
    """One jump to a system within range."""

    def command() -> Stored:
        written = echoes.jump(Actor(pilot_id, cmd.principal.subject), body.system_id)
        return stored(200, pilot_out(written.aggregate, written.position), version=written.aggregate.version)

    return cmd.run({"pilot": str(pilot_id), **body.model_dump()}, command)


@router.post("/orders", status_code=201, response_model=BookOut)
async def place_order(body: OrderIn, cmd: CommandDep, echoes: Echoes) -> Response:
    """Place an order on a station's book: escrow taken, matched at once, the
    rest resting; one atomic write with every wallet and hangar it touches."""
    # async: a hot book's orders are decided together, and none of them parks a
    # thread while it waits (``Commands.run_combined``).
    order_id = new_order_id(body.station_id, body.module_type_id)
    placing = echoes.placing(
        Actor(body.pilot_id, cmd.principal.subject),
        body.station_id,
        body.module_type_id,
        body.side,
        body.price,
        body.quantity,
        body.duration(),
        datetime.now(UTC),
        order_id,
    )
    return await cmd.run_combined(body.model_dump(mode="json"), placing, book_answer(201, order_id))


@router.post("/orders/{order_id}/cancel", response_model=BookOut, responses=problems(404))
async def cancel_order(order_id: UUID, body: CancelIn, cmd: CommandDep, echoes: Echoes) -> Response:
    """Cancel what is left of an order: its escrow comes back, its broker fee does not."""
    cancelling = echoes.cancelling(
        Actor(body.pilot_id, cmd.principal.subject), body.station_id, body.module_type_id, order_id
    )
    request_key = {"order": str(order_id), **body.model_dump(mode="json")}
    return await cmd.run_combined(request_key, cancelling, book_answer(200))


class RepriceIn(CancelIn):
    price: int = Field(ge=1, le=PRICE_MAX, description="The new price per unit, in minor units.")


@router.post("/orders/{order_id}/reprice", response_model=BookOut, responses=problems(404, 409))
async def reprice_order(order_id: UUID, body: RepriceIn, cmd: CommandDep, echoes: Echoes) -> Response:
    """A new price for what is left of an order: the reprice fee is charged,
    the order queues behind its new price level, and it may trade at once."""
    repricing = echoes.repricing(
        Actor(body.pilot_id, cmd.principal.subject), body.station_id, body.module_type_id, order_id, body.price
    )
    request_key = {"order": str(order_id), "reprice": body.model_dump(mode="json")}
    return await cmd.run_combined(request_key, repricing, book_answer(200))


def book_answer(status: int, order_id: UUID | None = None) -> Callable[[Written], Stored]:
    """The answer of a command on a book: the book after its write."""

    def answer(written: Written) -> Stored:
        book = written.aggregate
        return stored(status, book_out(book, written.position, order_id), version=book.version)

    return answer
