"""The catalogue (seed 000's ``quests`` and the items the anti-cheat rules
read): quest and item definitions admins publish, one per deployment."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field

from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import InvalidCommand
from domain.narrative.rules import Frozen, Name

MAX_QUESTS = 200
MAX_ITEMS = 1000
CATALOGUE_ID = uuid5(NAMESPACE_URL, "lorekeeper:/catalogue")


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
