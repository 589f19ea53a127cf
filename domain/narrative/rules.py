"""The narrative rules of seed 000 that save slots follow: the changes a client
may send when it syncs, and the pure functions that fold changes into
narrative state (the aggregate and the projection share them).

A save slot's ``narrative_state`` is a JSON object. Three keys are the
server's: ``flags`` (sorted quest flags that hold), ``nodes`` (narrative nodes
reached, in order) and ``choices`` (choice id -> option taken). They change
only through sync changes; every other key belongs to the client and is
replaced by ``PUT``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.kernel.errors import InvalidCommand

FLAGS, NODES, CHOICES = "flags", "nodes", "choices"
RESERVED_KEYS = frozenset({FLAGS, NODES, CHOICES})
NAME = r"^[A-Za-z0-9_.:-]{1,64}$"  # flags, nodes, choices, options, quest and item ids
MAX_FLAGS = 1000
MAX_NODES = 5000
MAX_CHOICES = 1000
MAX_CHANGES_PER_SYNC = 100
METADATA_MAX_KEYS = 16

QUEST_STATUSES = ("locked", "available", "active", "completed", "failed")
ITEM_SOURCES = ("pickup", "reward", "restore")

Name = Annotated[str, Field(pattern=NAME)]


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# -- changes a client sends ----------------------------------------------------


class FlagSet(Frozen):
    type: Literal["flag_set"]
    flag: Name


class FlagCleared(Frozen):
    type: Literal["flag_cleared"]
    flag: Name


class NodeReached(Frozen):
    type: Literal["node_reached"]
    node: Name


class ChoiceMade(Frozen):
    type: Literal["choice_made"]
    choice: Name
    option: Name


class QuestChange(Frozen):
    type: Literal["quest_progressed", "quest_completed", "quest_failed"]
    quest_id: Name


class ItemAdded(Frozen):
    type: Literal["item_added"]
    item_id: Name
    quantity: int = Field(ge=1, le=1_000_000)
    metadata: dict[str, str | int | float | bool | None] = Field(default_factory=dict, max_length=METADATA_MAX_KEYS)


class ItemRemoved(Frozen):
    type: Literal["item_removed"]
    item_id: Name
    quantity: int = Field(ge=1, le=1_000_000)


Change = Annotated[
    FlagSet | FlagCleared | NodeReached | ChoiceMade | QuestChange | ItemAdded | ItemRemoved,
    Field(discriminator="type"),
]


class Refusal(Frozen):
    """Why one change of a sync cannot apply: its index, the change, the reason."""

    index: int
    change: dict[str, Any]
    reason: str


# -- narrative state as pure functions (the aggregate and the projection share them)


def with_flag(state: dict[str, Any], flag: str, holds: bool) -> dict[str, Any]:
    flags = set(state.get(FLAGS, []))
    flags = flags | {flag} if holds else flags - {flag}
    return {**state, FLAGS: sorted(flags)}


def with_node(state: dict[str, Any], node: str) -> dict[str, Any]:
    nodes = list(state.get(NODES, []))
    return state if node in nodes else {**state, NODES: [*nodes, node]}


def with_choice(state: dict[str, Any], choice: str, option: str) -> dict[str, Any]:
    return {**state, CHOICES: {**state.get(CHOICES, {}), choice: option}}


def with_client_part(state: dict[str, Any], client: dict[str, Any]) -> dict[str, Any]:
    """The client's keys replaced, the server's kept."""
    reserved = sorted(RESERVED_KEYS & set(client))
    if reserved:
        raise InvalidCommand(
            f"narrative_state keys {reserved} change only through sync changes", reserved_keys=reserved
        )
    return {**client, **{k: v for k, v in state.items() if k in RESERVED_KEYS}}
