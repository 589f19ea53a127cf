"""How heroes' events fill their read tables: the five tables of seed 003,
defined (with the seed's names, and what each row is) in ``hero_tables.py``."""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.tycoon import Hero, HeroBond
from domain.tycoon.bonds import HISTORY_MAX
from domain.tycoon.heroes import HISTORY_MAX as INFLUENCE_HISTORY_MAX
from projections.model import Event, Handler, Key, Projection, Row, fresh
from projections.tycoon.hero_tables import ACTIVITY_LOG, HERO_DECISIONS, HERO_RELATIONSHIPS, HEROES, MASTER_INFLUENCE


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


@fresh
def hero_created(event: Event, _: Row | None) -> Row:
    data = event.data
    return {
        "id": event.originator_id,
        "world_id": UUID(data["world_id"]),
        "guild_id": UUID(data["guild_id"]),
        "user_id": UUID(data["owner"]),
        "name": data["name"],
        "personality": data["personality"],
        "backstory": data["backstory"],
        "motivation": data["motivation"],
        "current_action": "arriving",
        "location": "guild_hall",
        "energy": 100,
        "mood": 60,
        "level": 1,
        "experience": 0,
        "gold": 0,
        "last_decision_at": None,
        "action_ends_at": event.timestamp,
        "created_at": event.timestamp,
        "updated_at": event.timestamp,
        "version": event.originator_version,
    }


def _hero(event: Event, row: Row | None, changes: Row) -> Row | None:
    if row is None:
        return None
    return {**row, **changes, "version": event.originator_version, "updated_at": event.timestamp}


def hero_decided(event: Event, row: Row | None) -> Row | None:
    data = event.data
    ends = data["ends_at"]
    return _hero(
        event,
        row,
        {
            "current_action": data["chosen_option"],
            "location": data["location"],
            "last_decision_at": _at(data["real_time"]),
            "action_ends_at": None if ends is None else _at(ends),
        },
    )


def hero_lived(event: Event, row: Row | None) -> Row | None:
    d = event.data
    return _hero(
        event,
        row,
        {
            "energy": d["energy"],
            "mood": d["mood"],
            "gold": d["gold"],
            "experience": d["experience"],
            "level": d["level"],
        },
    )


def hero_influenced(event: Event, row: Row | None) -> Row | None:
    return _hero(event, row, {"mood": event.data["mood"], "gold": event.data["gold"]})


def hero_touched(event: Event, row: Row | None) -> Row | None:
    return _hero(event, row, {})


@fresh
def influence_created(event: Event, _: Row | None) -> Row:
    return {
        "hero_id": event.originator_id,
        "trust": 50,
        "respect": 50,
        "fear": 0,
        "history": [],
        "updated_at": event.timestamp,
    }


def influenced(event: Event, row: Row | None) -> Row | None:
    if row is None:
        return None
    d = event.data
    entry = {"gesture": d["gesture"], "minute": d["minute"], "changes": d["deltas"], "reason": d["reason"]}
    return {
        **row,
        "trust": d["trust"],
        "respect": d["respect"],
        "fear": d["fear"],
        "history": [*row["history"], entry][-INFLUENCE_HISTORY_MAX:],
        "updated_at": event.timestamp,
    }


def decision_id(hero_id: UUID, number: int) -> UUID:
    return uuid5(NAMESPACE_URL, f"lorekeeper:/tycoon/decisions/{hero_id}/{number}")


def decision_key(event: Event) -> Key:
    return (decision_id(event.originator_id, event.data["decision"]),)


@fresh
def decided(event: Event, _: Row | None) -> Row:
    d = event.data
    return {
        "id": decision_key(event)[0],
        "hero_id": event.originator_id,
        "world_id": UUID(d["world_id"]),
        "decided_at": _at(d["real_time"]),
        "game_time": d["minute"],
        "context": d["context"],
        "options": d["options"],
        "chosen_option": d["chosen_option"],
        "reasoning": d["reasoning"],
        "personality_factors": d["personality_factors"],
        "outcome": None,
        "satisfaction": None,
    }


def decision_ended(event: Event, row: Row | None) -> Row | None:
    if row is None:  # the hero's arrival decided nothing
        return None
    d = event.data
    outcome = {
        "gold_change": d["gold_change"],
        "experience_change": d["experience_change"],
        "items_changed": d["items_changed"],
        "mood_impact": d["mood_impact"],
        "activity": d["activity_data"],
    }
    return {**row, "outcome": outcome, "satisfaction": d["satisfaction"]}


def activity_key(event: Event) -> Key:
    return (
        UUID(event.data["world_id"]),
        uuid5(NAMESPACE_URL, f"lorekeeper:/tycoon/activity/{event.originator_id}/{event.originator_version}"),
    )


def _activity(event: Event, activity_type: str, data: Row, **changes: object) -> Row:
    world_id, row_id = activity_key(event)
    return {
        "id": row_id,
        "world_id": world_id,
        "hero_id": event.originator_id,
        "activity_type": activity_type,
        "activity_data": data,
        "real_time": _at(event.data["real_time"]),
        "game_time": event.data["minute"],
        "gold_change": changes.get("gold_change", 0),
        "experience_change": changes.get("experience_change", 0),
        "items_changed": changes.get("items_changed", {}),
        "mood_impact": changes.get("mood_impact", 0),
    }


@fresh
def activity(event: Event, _: Row | None) -> Row:
    d = event.data
    data = {**d["activity_data"], "decision": d["decision"], "satisfaction": d["satisfaction"]}
    if d["companion_id"]:
        data["bond_changes"] = d["bond_changes"]
    return _activity(
        event,
        d["activity_type"],
        data,
        gold_change=d["gold_change"],
        experience_change=d["experience_change"],
        items_changed=d["items_changed"],
        mood_impact=d["mood_impact"],
    )


@fresh
def gesture_logged(event: Event, _: Row | None) -> Row:
    d = event.data
    data = {"gesture": d["gesture"], "changes": d["deltas"], "reason": d["reason"]}
    return _activity(
        event, f"master_{d['gesture']}", data, mood_impact=d["deltas"].get("mood", 0), gold_change=d["gold_change"]
    )


@fresh
def order_logged(event: Event, _: Row | None) -> Row:
    d = event.data
    data = {
        "order": d["order"],
        "obeyed": d["obeyed"],
        "compliance": d["compliance"],
        "roll": d["roll"],
        "reason": d["reason"],
    }
    return _activity(event, "order_obeyed" if d["obeyed"] else "order_refused", data)


@fresh
def quest_logged(event: Event, _: Row | None) -> Row:
    d = event.data
    data = {"quest_id": d["quest_id"], "willingness": d["willingness"], "roll": d["roll"], "reason": d["reason"]}
    return _activity(event, "quest_accepted" if d["accepted"] else "quest_refused", data)


def _direction(first: bool) -> Handler:
    me, them = ("first_id", "second_id") if first else ("second_id", "first_id")

    def changed_key(event: Event) -> Key:
        d = event.data
        return (UUID(d[me]), UUID(d[them]), d["relationship_type"])

    def changed(event: Event, row: Row | None) -> Row:
        d = event.data
        entry = {"minute": d["minute"], "by": d["actor_id"], "delta": d["delta"], "cause": d["cause"]}
        history = [*(row["event_history"] if row else []), entry][-HISTORY_MAX:]
        return {
            "id": uuid5(NAMESPACE_URL, f"lorekeeper:/tycoon/relationships/{d[me]}/{d[them]}/{d['relationship_type']}"),
            "hero_id": UUID(d[me]),
            "other_hero_id": UUID(d[them]),
            "relationship_type": d["relationship_type"],
            "strength": d["strength"],
            "interaction_count": d["interaction_count"],
            "last_interaction_at": _at(d["at"]),
            "event_history": history,
        }

    return Handler(HERO_RELATIONSHIPS, changed, changed_key)


PROJECTION = Projection(
    name="tycoon_heroes",
    schema_version=1,
    tables=(HEROES, MASTER_INFLUENCE, HERO_DECISIONS, ACTIVITY_LOG, HERO_RELATIONSHIPS),
    handlers={
        Hero.Created.TOPIC: (Handler(HEROES, hero_created), Handler(MASTER_INFLUENCE, influence_created)),
        Hero.Decided.TOPIC: (Handler(HEROES, hero_decided), Handler(HERO_DECISIONS, decided, decision_key)),
        Hero.ActivityCompleted.TOPIC: (
            Handler(HEROES, hero_lived),
            Handler(HERO_DECISIONS, decision_ended, decision_key),
            Handler(ACTIVITY_LOG, activity, activity_key),
        ),
        Hero.Influenced.TOPIC: (
            Handler(HEROES, hero_influenced),
            Handler(MASTER_INFLUENCE, influenced),
            Handler(ACTIVITY_LOG, gesture_logged, activity_key),
        ),
        Hero.OrderAnswered.TOPIC: (Handler(HEROES, hero_touched), Handler(ACTIVITY_LOG, order_logged, activity_key)),
        Hero.QuestAnswered.TOPIC: (Handler(HEROES, hero_touched), Handler(ACTIVITY_LOG, quest_logged, activity_key)),
        HeroBond.Changed.TOPIC: (_direction(True), _direction(False)),
    },
)

__all__ = ["PROJECTION"]
