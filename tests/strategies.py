"""Shared Hypothesis strategies."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path
from typing import Literal, get_args, get_origin
from uuid import UUID

from hypothesis import strategies as st

from domain.accounts.claims import PLATFORMS
from domain.echoes.universe import UniverseData
from domain.kernel.text import DISPLAY_NAME_MAX
from domain.narrative.catalogue import ItemDefinition, QuestDefinition

display_names = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")),
    min_size=1,
    max_size=DISPLAY_NAME_MAX,
).filter(lambda s: s.strip())

any_text = st.text(max_size=80)
platforms = st.sampled_from(sorted(PLATFORMS))
platform_user_ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=24)

json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
# The client's part of a narrative state (flags, nodes, choices are the server's).
narrative_states = st.dictionaries(
    st.text(min_size=1, max_size=12).filter(lambda k: k not in ("flags", "nodes", "choices")), json_values, max_size=6
)

UNIVERSE = UniverseData.model_validate(
    json.loads((Path(__file__).resolve().parents[1] / "infra/data/echoes-universe-v1.json").read_text())
)
names = st.from_regex(r"[a-z0-9_.:-]{1,24}", fullmatch=True)

BLOCK_KEYS = st.sampled_from(["0,0,0", "1,2,3", "15,15,15"])
BLOCKS = st.fixed_dictionaries(
    {"type": st.sampled_from(["air", "stone", "brick"]), "metadata": st.sampled_from([{}, {"lit": True}])}
)
STACKS = st.fixed_dictionaries(
    {
        "item_type": st.sampled_from(["material", "weapon"]),
        "item_name": st.sampled_from(["log", "iron_sword"]),
        "quantity": st.integers(1, 64),
        "item_data": st.sampled_from([{}, {"durability": 100}]),
    }
)

EVENT_FIELDS: dict[str, st.SearchStrategy] = {
    "display_name": display_names,
    "narrative_state": narrative_states,
    "owner_id": st.uuids(),
    "player_id": st.uuids(),
    "slot_id": st.uuids().map(str),
    "platform": platforms,
    "platform_user_id": platform_user_ids,
    "name": any_text,
    "at": st.datetimes(timezones=st.just(UTC)),
    "opted_out": st.booleans(),
    "progression_version": st.integers(0, 2**31),
    "position_x": st.integers(0, 1023),
    "position_y": st.integers(0, 1023),
    "health": st.integers(0, 100),
    "cause": st.sampled_from(["heal", "rest"]),
    "user_id": st.uuids(),
    "character_id": st.uuids(),
    "protocol_version": st.text(max_size=10),
    "status": st.sampled_from(["connecting", "active", "reconnecting", "terminating"]),
    "reason": st.text(max_size=20),
    "action_id": st.uuids(),
    "sequence_number": st.integers(1, 2**40),
    "action_type": st.sampled_from(["move", "chat", "ability", "system"]),
    "payload": narrative_states,
    "username": st.from_regex(r"[A-Za-z0-9_.-]{3,32}", fullmatch=True),
    "email": st.emails(),
    "password_hash": st.text(min_size=1, max_size=100),
    "failures": st.integers(0, 10),
    "locked_until": st.datetimes(timezones=st.just(UTC)),
    "flag": names,
    "holds": st.booleans(),
    "node": names,
    "choice": names,
    "option": names,
    "quest_id": names,
    "item_id": names,
    "quantity": st.integers(1, 1000),
    "metadata": st.dictionaries(names, st.integers(-(2**53), 2**53), max_size=3),
    "source": st.sampled_from(["pickup", "reward", "restore", "spent"]),
    "base_version": st.integers(0, 1000),
    "change_count": st.integers(0, 100),
    "rebased": st.booleans(),
    "restored_from": st.integers(0, 1000),
    "quest": st.builds(QuestDefinition, quest_id=names, title=st.just("T"), required_flags=st.lists(names, max_size=3)),
    "kind": st.sampled_from(["hotfix", "seasonal", "localization"]),
    "version": st.from_regex(r"\d{1,3}(\.\d{1,3}){0,3}", fullmatch=True),
    "required_client_version": st.from_regex(r"\d{1,3}(\.\d{1,3}){0,3}", fullmatch=True),
    "release_notes": st.text(max_size=50),
    "checksum": st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
    "size_bytes": st.integers(0, 2**20),
    "item": st.builds(ItemDefinition, item_id=names, name=st.just("I"), max_stack=st.integers(1, 99)),
    "aggregate_id": st.uuids(),
    "aggregate_type": st.sampled_from(["Character", "SaveSlot"]),
    # Echoes (seed 004)
    "station_id": st.sampled_from([60003760, 60003761]),
    "module_type_id": st.sampled_from([2000, 2001]),
    "system_id": st.sampled_from([30000140, 30000141]),
    "current_system_id": st.sampled_from([30000140, 30000141]),
    "from_system_id": st.sampled_from([30000140, 30000141]),
    "to_system_id": st.sampled_from([30000140, 30000141]),
    "location_system_id": st.sampled_from([30000140, 30000141]),
    "location_station_id": st.sampled_from([60003760, 60003761]),
    "ship_type_id": st.sampled_from([587, 603]),
    "owner": st.uuids(),
    "claim_id": st.uuids(),
    "pilot_id": st.uuids(),
    "race": st.sampled_from(["Amarr", "Caldari"]),
    "bloodline": st.sampled_from(["Khanid", "Deteis"]),
    "amount": st.integers(-(10**6), 10**6),
    "reference": st.uuids(),
    "balance": st.integers(0, 10**9),
    "order_id": st.uuids(),
    "trade_id": st.uuids(),
    "buy_order_id": st.uuids(),
    "sell_order_id": st.uuids(),
    "buyer_id": st.uuids(),
    "seller_id": st.uuids(),
    "fitting_id": st.uuids(),
    "side": st.sampled_from(["buy", "sell"]),
    "aggressor": st.sampled_from(["buy", "sell"]),
    "price": st.integers(1, 10**6),
    "old_price": st.integers(1, 10**6),
    "buy_limit": st.integers(1, 10**6),
    "remaining": st.integers(1, 1000),
    "broker_fee": st.integers(0, 10**5),
    "sales_tax": st.integers(0, 10**5),
    "fee": st.integers(0, 10**5),
    "expires_at": st.datetimes(timezones=st.just(UTC)),
    "next_survey": st.datetimes(timezones=st.just(UTC)),
    "slot_type": st.sampled_from(["high", "mid", "low", "rig"]),
    "slot_number": st.integers(0, 7),
    "volume": st.floats(0, 100, allow_nan=False),
    "data": st.just(UNIVERSE),
    "attacker_id": st.uuids(),
    "damage": st.floats(0.01, 300, allow_nan=False),
    "shield_health": st.floats(0, 100, allow_nan=False),
    "armor_health": st.floats(0, 100, allow_nan=False),
    "hull_health": st.floats(0, 100, allow_nan=False),
    "roll_seed": st.integers(0, 2**63 - 1),
    "fitted": st.lists(
        st.fixed_dictionaries(
            {
                "fitting_id": st.uuids().map(str),
                "module_type_id": st.sampled_from([2000, 2009]),
                "slot_type": st.sampled_from(["high", "mid"]),
                "slot_number": st.integers(0, 2),
            }
        ),
        max_size=3,
    ),
    "cargo": st.lists(
        st.fixed_dictionaries({"module_type_id": st.sampled_from([2000, 2009]), "quantity": st.integers(1, 5)}),
        max_size=2,
    ),
    "dropped": st.lists(
        st.fixed_dictionaries({"module_type_id": st.sampled_from([2000, 2009]), "quantity": st.integers(1, 5)}),
        max_size=2,
    ),
    # adventure (seed 002): narrow pools, so that chunks, slots and skills collide
    "world_id": st.sampled_from([UUID(int=7), UUID(int=8)]),
    "chunk_x": st.integers(-1, 1),
    "chunk_y": st.integers(3, 5),
    "chunk_z": st.integers(-1, 1),
    "seed": st.integers(-(2**63), 2**63 - 1),
    "world_type": st.sampled_from(["standard", "flat"]),
    "settings": st.fixed_dictionaries({}, optional={"characters_per_player": st.integers(1, 9)}),
    "is_active": st.booleans(),
    "changes": st.dictionaries(BLOCK_KEYS, BLOCKS, min_size=1, max_size=4),
    "generated": st.lists(BLOCK_KEYS, max_size=3, unique=True),
    "structures": st.lists(st.fixed_dictionaries({"type": st.sampled_from(["hut", "tower"])}), max_size=2),
    "placed": st.integers(0, 4),
    "removed": st.integers(0, 4),
    "to_version": st.integers(1, 10),
    "character_class": st.sampled_from(["warrior", "mage"]),
    "stats": st.fixed_dictionaries({"health": st.integers(1, 200), "mana": st.integers(0, 200)}),
    "appearance": st.fixed_dictionaries({}, optional={"hair": st.sampled_from(["red", "black"])}),
    "position": st.tuples(*[st.floats(-100, 100, allow_nan=False)] * 3),
    "experience": st.integers(0, 10**6),
    "level": st.integers(1, 100),
    "slot": st.sampled_from([0, 1, 104]),
    "stack": st.none() | STACKS,
    "skill": st.sampled_from(["mining", "building"]),
    "recipe_name": st.sampled_from(["Planks", "Iron Sword"]),
    "odds": st.floats(0.5, 0.95),
    "roll": st.floats(0, 0.999),
    "succeeded": st.booleans(),
    "other_id": st.sampled_from([UUID(int=1), UUID(int=2)]),
    "value": st.integers(-100, 100),
    "first_id": st.sampled_from([UUID(int=1), UUID(int=2)]),
    "second_id": st.sampled_from([UUID(int=3), UUID(int=4)]),
    "actor_id": st.sampled_from([UUID(int=1), UUID(int=3)]),
    "delta": st.integers(-25, 25),
    "relationship_type": st.sampled_from(["hostile", "neutral", "ally"]),
    "detail": st.fixed_dictionaries({}, optional={"item_name": st.just("log"), "quantity": st.integers(1, 5)}),
    "ingredients": st.lists(
        st.fixed_dictionaries({"item_name": st.sampled_from(["log", "stick"]), "quantity": st.integers(1, 4)}),
        min_size=1,
        max_size=2,
    ),
    "result_item": STACKS,
    "required_level": st.integers(1, 100),
    "recipe_type": st.sampled_from(["smithing", "woodcutting"]),
    "unlock_conditions": st.fixed_dictionaries({}, optional={"level": st.integers(1, 5)}),
    "achievement_name": st.sampled_from(["first_craft", "level_10"]),
    "description": st.just("an achievement"),
    "points": st.integers(1, 100),
    "hidden": st.booleans(),
    "unlock_data": st.fixed_dictionaries({"character_id": st.uuids().map(str)}),
    # tycoon (seed 003): heroes and worlds from narrow pools, so rows collide
    "world_data": st.fixed_dictionaries({"biomes": st.just([]), "landmarks": st.just([])}),
    "ratio": st.integers(1, 86_400),
    "founded_at": st.datetimes(timezones=st.just(UTC)),
    "event_id": st.sampled_from([UUID(int=21), UUID(int=22)]),
    "event_type": st.sampled_from(["festival", "storm"]),
    "event_data": st.fixed_dictionaries({"effects": st.just({"socialize": 25})}),
    "starts_minute": st.integers(0, 10_000),
    "ends_minute": st.integers(0, 10_000),
    "starts_at": st.datetimes(timezones=st.just(UTC)),
    "ends_at": st.datetimes(timezones=st.just(UTC)),
    "since": st.datetimes(timezones=st.just(UTC)),
    "gold": st.integers(0, 10**6),
    "reputation": st.integers(-100, 1000),
    "reputation_change": st.integers(-10, 10),
    "hero_id": st.sampled_from([UUID(int=31), UUID(int=32)]),
    "minute": st.integers(0, 10**6),
    "guild_id": st.uuids(),
    "personality": st.fixed_dictionaries(
        {
            t: st.integers(0, 100)
            for t in ("courage", "greed", "loyalty", "curiosity", "ambition", "patience", "empathy")
        }
    ),
    "backstory": st.just("Ada grew up by the sea."),
    "motivation": st.just("Wants to map the world."),
    "decision": st.integers(0, 3),
    "real_time": st.datetimes(timezones=st.just(UTC)),
    "context": st.fixed_dictionaries({"energy": st.integers(0, 100)}, optional={"ordered": st.just("train")}),
    "options": st.lists(st.fixed_dictionaries({"action": st.just("rest"), "score": st.floats(-50, 200)}), max_size=2),
    "chosen_option": st.sampled_from(["rest", "train", "quest", "wait"]),
    "reasoning": st.just("Ada chose to rest."),
    "personality_factors": st.fixed_dictionaries({"patience": st.floats(0, 25)}),
    "location": st.sampled_from(["guild_hall", "tavern"]),
    "activity_type": st.sampled_from(["rest", "explore", "quest"]),
    "activity_data": st.fixed_dictionaries({"action": st.just("rest")}),
    "gold_change": st.integers(-100, 100),
    "experience_change": st.integers(0, 100),
    "items_changed": st.dictionaries(st.sampled_from(["herbs", "relic"]), st.integers(1, 3), max_size=2),
    "mood_impact": st.integers(-20, 20),
    "energy": st.integers(0, 100),
    "mood": st.integers(0, 100),
    "satisfaction": st.integers(0, 100),
    "companion_id": st.sampled_from([UUID(int=31), UUID(int=32)]),
    "bond_changes": st.lists(
        st.fixed_dictionaries({"relationship_type": st.just("friendship"), "delta": st.integers(-5, 5)}), max_size=2
    ),
    "gesture": st.sampled_from(["praise", "reprimand", "gift"]),
    "deltas": st.fixed_dictionaries({"trust": st.integers(-5, 5)}, optional={"mood": st.integers(-8, 8)}),
    "trust": st.integers(0, 100),
    "respect": st.integers(0, 100),
    "fear": st.integers(0, 100),
    "order": st.sampled_from(["rest", "train"]),
    "obeyed": st.booleans(),
    "compliance": st.floats(0, 100),
    "accepted": st.booleans(),
    "willingness": st.floats(-50, 100),
    "strength": st.integers(-100, 100),
    "interaction_count": st.integers(1, 100),
    "title": st.sampled_from(["Slay the wyrm", "Find the relic"]),
    "difficulty": st.integers(1, 10),
    "duration_minutes": st.integers(30, 600),
    "rewards": st.fixed_dictionaries(
        {"gold": st.integers(0, 100), "experience": st.integers(0, 100), "items": st.just({})}
    ),
    "started_at": st.datetimes(timezones=st.just(UTC)),
    "success": st.booleans(),
    "outcome": st.fixed_dictionaries({"success": st.booleans()}),
    "completed_at": st.datetimes(timezones=st.just(UTC)),
    # adventure stories (a narrow pool of branches, so choices and branches collide)
    "story_type": st.sampled_from(["main", "side"]),
    "story_id": st.sampled_from([UUID(int=51), UUID(int=52)]),
    "branch_id": st.sampled_from([UUID(int=61), UUID(int=62), UUID(int=63)]),
    "parent_branch_id": st.sampled_from([UUID(int=61), UUID(int=62)]),
    "branch_name": st.sampled_from(["Enter the hall", "Bow"]),
    "content": st.sampled_from(["", "The doors open."]),
    "conditions": st.sampled_from([{}, {"level": 2}, {"flags": {"met_king": True}}]),
    "consequences": st.sampled_from([{}, {"experience": 50}, {"flags": {"met_king": True}}]),
    "branch_order": st.integers(0, 3),
    "choice_text": st.sampled_from(["", "I bow"]),
    "choice_data": st.sampled_from([{}, {"gesture": "deep"}]),
    "flags": st.dictionaries(
        st.sampled_from(["met_king", "bridge"]), st.none() | st.booleans() | st.text(max_size=5), max_size=2
    ),
    "quest_type": st.sampled_from(["main", "party"]),
    "requirements": st.sampled_from([{}, {"level": 2}]),
    "difficulty_level": st.integers(1, 100),
    "objectives": st.just(
        [
            {
                "objective_id": str(UUID(int=71)),
                "objective_text": "Gather logs",
                "requirements": {"kind": "gather", "item_name": "log", "count": 5},
                "order_index": 0,
            }
        ]
    ),
    "party_max": st.integers(1, 5),
    "expired": st.booleans(),
    "leader_id": st.sampled_from([UUID(int=81), UUID(int=82)]),
    "scale": st.sampled_from([0.5, 1.0, 1.3]),
    "targets": st.lists(st.integers(1, 10), min_size=1, max_size=3),
    "seen": st.integers(1, 50),
    "counts": st.lists(st.integers(0, 10), min_size=1, max_size=3),
    "current": st.integers(0, 3),
    "completed": st.lists(st.integers(0, 3), max_size=2),
    "rewards_earned": st.sampled_from([{}, {"experience": 100}]),
    "item_type": st.sampled_from(["material", "trinket"]),
    "item_name": st.sampled_from(["log", "seal"]),
    "progress_id": st.sampled_from([UUID(int=91), UUID(int=92)]),
    "event_name": st.sampled_from(["Harvest", "Storm"]),
    "effects": st.sampled_from([{}, {"craft_odds": 0.1}, {"quest_experience": 2}]),
    "start_time": st.datetimes(timezones=st.just(UTC)),
    "end_time": st.datetimes(timezones=st.just(UTC)),
    "every_seconds": st.none() | st.integers(60, 86_400),
    "trigger": st.sampled_from(["admin", "player"]),
    "triggered_by": st.none() | st.sampled_from([UUID(int=111)]),
    "cancelled": st.booleans(),
    "agent_name": st.sampled_from(["Quill", "Herald"]),
    "agent_type": st.sampled_from(["quest_generator", "event_coordinator"]),
    "configuration": st.sampled_from([{}, {"max_chain": 2}]),
    "evolution_id": st.sampled_from([UUID(int=121), UUID(int=122)]),
    "undone": st.booleans(),
    "current_state": st.fixed_dictionaries({"changes": st.integers(0, 5), "rolled_back": st.integers(0, 5)}),
    "agent_id": st.sampled_from([UUID(int=131), UUID(int=132)]),
    "memory_type": st.sampled_from(["quest_generator", "event_coordinator"]),
    "memory_data": st.sampled_from([{}, {"last_season": "x"}]),
    "evolution_type": st.sampled_from(["quest_sequel", "season_fair"]),
    "changes_made": st.sampled_from([{"kind": "quest_posted", "quest_id": str(UUID(int=141))}]),
    "depends_on": st.lists(st.sampled_from([UUID(int=121), UUID(int=122)]), max_size=1),
    "cascaded_from": st.none() | st.sampled_from([UUID(int=121)]),
    "compensation": st.sampled_from([{}, {"quest_closed": str(UUID(int=141))}]),
    "origin": st.none() | st.sampled_from([UUID(int=121)]),
    "moves": st.dictionaries(st.sampled_from(["health", "charisma"]), st.integers(-100, 100), max_size=2),
}


# Fields whose name another context's events use for another type, by event topic.
ADVENTURE_QUEST_ID = {"quest_id": st.sampled_from([UUID(int=101), UUID(int=102)])}
TOPIC_FIELDS = {
    "lorekeeper.evolution.Created": {"reasoning": st.sampled_from([{}, {"summary": "a sequel", "chosen": "sequel"}])},
    **dict.fromkeys(
        [
            "lorekeeper.quest_progress.Created",
            "lorekeeper.quest_progress.Joined",
            "lorekeeper.quest_progress.Advanced",
            "lorekeeper.adventure_character.QuestTaken",
            "lorekeeper.adventure_character.QuestLeft",
        ],
        ADVENTURE_QUEST_ID,
    ),
    "lorekeeper.hero.QuestAnswered": {
        "quest_id": st.sampled_from([UUID(int=41), UUID(int=42)]),
        "quest": st.fixed_dictionaries({"quest_id": st.just(str(UUID(int=41))), "title": st.just("Slay the wyrm")}),
    },
}


def event_strategy(cls, fields=None, ids=None):
    """Events of ``cls`` with plausible field values (``fields`` by field name,
    ``ids`` for originator ids; narrow pools make events collide on the same rows)."""
    fields = {**(fields or {}), **TOPIC_FIELDS.get(getattr(cls, "TOPIC", ""), {})}
    fields_by_name = {**EVENT_FIELDS, **fields}
    drawn = {}
    for name, info in cls.model_fields.items():
        if name in ("originator_id", "originator_version", "timestamp", "originator_topic"):
            continue
        literal = get_args(info.annotation) if get_origin(info.annotation) is Literal else ()
        strategy = fields_by_name[name] if name in (fields or {}) or not literal else st.sampled_from(literal)
        drawn[name] = st.none() | strategy if type(None) in get_args(info.annotation) else strategy
    base = {
        "originator_id": ids if ids is not None else st.uuids(),
        "originator_version": st.integers(1, 2**31),
        "timestamp": st.datetimes(timezones=st.just(UTC)),
    }
    if "originator_topic" in cls.model_fields:
        base["originator_topic"] = st.just("lorekeeper.player")
    return st.builds(cls, **base, **drawn)
