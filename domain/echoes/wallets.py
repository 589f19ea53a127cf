"""Wallets as ledgers (seed 004's ``wallet_balance``, and its journal).

One wallet per pilot, an aggregate of its own (trading must not contend with
the pilot's movement). Money is integer minor units; every change is one
journal entry (an event with its reason, a reference and the balance after).
**No balance is ever negative**: a debit beyond it is refused and records
nothing. Money enters only through the faucets (``FAUCETS``) and leaves only
through the sinks (``SINKS``); every other entry moves money between wallets
and the market's escrow, so the total is conserved.
"""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import Conflict, InvalidCommand

FAUCETS = frozenset({"starting_grant", "bounty", "mission_reward"})  # money made
SINKS = frozenset({"broker_fee", "sales_tax", "reprice_fee"})  # money destroyed
MOVES_IN = frozenset({"market_sale", "escrow_refund", "transfer_in"})
MOVES_OUT = frozenset({"market_escrow", "transfer_out"})
AMOUNT_MAX = 10**18  # one entry, in minor units (balances stay within 64 bits)


@lru_cache(maxsize=65_536)  # a SHA-1 each time, several times per order
def wallet_id(character_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"lorekeeper:/echoes/wallets/{character_id}")


class InsufficientFunds(Conflict):
    code = "insufficient_funds"


class InvalidEntry(InvalidCommand):
    code = "invalid_wallet_entry"


class Wallet(Aggregate):
    TOPIC = "lorekeeper.wallet"
    snapshot_types: ClassVar[dict[str, object]] = {"owner": UUID, "character_id": UUID}

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.wallet.Created"
        character_id: UUID
        owner: UUID

    class Entered(Aggregate.Event):
        """One journal entry: ``amount`` (negative: out) and the balance after it."""

        TOPIC: ClassVar[str] = "lorekeeper.wallet.Entered"
        amount: int
        reason: str
        reference: UUID
        balance: int
        character_id: UUID  # whose wallet, for the read side

        def apply(self, wallet: Wallet) -> None:
            wallet.balance = self.balance

    def __init__(self, character_id: UUID, owner: UUID) -> None:
        self.character_id = character_id
        self.owner = owner
        self.balance = 0

    @staticmethod
    def create_id(character_id: UUID, **_: object) -> UUID:
        return wallet_id(character_id)

    @property
    def owner_id(self) -> UUID:
        return self.owner

    def enter(self, amount: int, reason: str, reference: UUID) -> None:
        """Record one entry; nothing for an amount of 0. Refused: a reason that
        is no faucet, sink or move, an amount of the wrong sign for it, and any
        entry that would leave the balance below zero."""
        if amount == 0:
            return
        if not -AMOUNT_MAX <= amount <= AMOUNT_MAX:
            raise InvalidEntry(f"an entry moves at most {AMOUNT_MAX} (minor units)")
        if reason in FAUCETS | MOVES_IN:
            if amount < 0:
                raise InvalidEntry(f"{reason} adds money, it cannot take {-amount}")
        elif reason in SINKS | MOVES_OUT:
            if amount > 0:
                raise InvalidEntry(f"{reason} takes money, it cannot add {amount}")
        else:
            raise InvalidEntry(f"unknown wallet entry reason {reason!r}")
        if self.balance + amount < 0:
            raise InsufficientFunds(
                f"the wallet holds {self.balance}, {-amount} is needed", balance=self.balance, needed=-amount
            )
        self.trigger_event(
            self.Entered,
            amount=amount,
            reason=reason,
            reference=reference,
            balance=self.balance + amount,
            character_id=self.character_id,
        )
