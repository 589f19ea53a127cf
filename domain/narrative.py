"""The narrative rules of seed 000 that save slots follow: admin-published
quest and item definitions (the ``Catalogue``), the changes a client may send
when it syncs, and the pure functions that fold changes into narrative state.

A save slot's ``narrative_state`` is a JSON object. Three keys are the
server's: ``flags`` (sorted quest flags that hold), ``nodes`` (narrative nodes
reached, in order) and ``choices`` (choice id -> option taken). They change
only through sync changes; every other key belongs to the client and is
replaced by ``PUT``.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import BaseModel, ConfigDict, Field

from domain.base import Aggregate
from domain.errors import InvalidCommand

FLAGS, NODES, CHOICES = "flags", "nodes", "choices"
RESERVED_KEYS = frozenset({FLAGS, NODES, CHOICES})
NAME = r"^[A-Za-z0-9_.:-]{1,64}$"  # flags, nodes, choices, options, quest and item ids
MAX_FLAGS = 1000
MAX_NODES = 5000
MAX_CHOICES = 1000
MAX_QUESTS = 200
MAX_ITEMS = 1000
MAX_CHANGES_PER_SYNC = 100
METADATA_MAX_KEYS = 16

QUEST_STATUSES = ("locked", "available", "active", "completed", "failed")
ITEM_SOURCES = ("pickup", "reward", "restore")

Name = Annotated[str, Field(pattern=NAME)]
CATALOGUE_ID = uuid5(NAMESPACE_URL, "lorekeeper:/catalogue")


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# -- definitions --------------------------------------------------------------


class RewardBundle(Frozen):
    items: dict[Name, Annotated[int, Field(ge=1, le=1_000_000)]] = Field(default_factory=dict, max_length=20)
    flags: list[Name] = Field(default_factory=list, max_length=20)


class QuestDefinition(Frozen):
    quest_id: Name
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=4000)
    required_flags: list[Name] = Field(default_factory=list, max_length=50)
    reward_bundle: RewardBundle = Field(default_factory=RewardBundle)


class ItemDefinition(Frozen):
    item_id: Name
    name: str = Field(min_length=1, max_length=200)
    max_stack: int = Field(99, ge=1, le=1_000_000)
    pickup_limit: int = Field(
        0, ge=0, le=1_000_000, description="Most a client may add in one change; 0: only quest rewards grant it."
    )


class Catalogue(Aggregate):
    """The quests and items that exist (one per deployment, published by admins)."""

    TOPIC = "lorekeeper.catalogue"

    class Created(Aggregate.Created):
        TOPIC: ClassVar[str] = "lorekeeper.catalogue.Created"

    class QuestPublished(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.catalogue.QuestPublished"
        quest: QuestDefinition

        def apply(self, catalogue: Catalogue) -> None:
            catalogue.quests[self.quest.quest_id] = self.quest.model_dump(mode="json")

    class ItemDefined(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.catalogue.ItemDefined"
        item: ItemDefinition

        def apply(self, catalogue: Catalogue) -> None:
            catalogue.items[self.item.item_id] = self.item.model_dump(mode="json")

    def __init__(self) -> None:
        self.quests: dict[str, dict[str, Any]] = {}
        self.items: dict[str, dict[str, Any]] = {}

    @staticmethod
    def create_id(*_: Any, **__: Any) -> UUID:
        return CATALOGUE_ID

    def quest(self, quest_id: str) -> QuestDefinition:
        return QuestDefinition.model_validate(self.quests[quest_id])

    def item(self, item_id: str) -> ItemDefinition:
        return ItemDefinition.model_validate(self.items[item_id])

    def define_item(self, item: ItemDefinition) -> None:
        if item.item_id not in self.items and len(self.items) >= MAX_ITEMS:
            raise InvalidCommand(f"a catalogue holds at most {MAX_ITEMS} items")
        if self.items.get(item.item_id) != item.model_dump(mode="json"):
            self.trigger_event(self.ItemDefined, item=item)

    def publish_quest(self, quest: QuestDefinition) -> None:
        unknown = sorted(set(quest.reward_bundle.items) - set(self.items))
        if unknown:
            raise InvalidCommand("a reward names items that are not defined", unknown_items=unknown)
        if quest.quest_id not in self.quests and len(self.quests) >= MAX_QUESTS:
            raise InvalidCommand(f"a catalogue holds at most {MAX_QUESTS} quests")
        if self.quests.get(quest.quest_id) != quest.model_dump(mode="json"):
            self.trigger_event(self.QuestPublished, quest=quest)


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
