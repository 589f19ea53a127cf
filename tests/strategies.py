"""Shared Hypothesis strategies."""

from __future__ import annotations

from datetime import UTC
from typing import get_args

from hypothesis import strategies as st

from domain.accounts.claims import PLATFORMS
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

names = st.from_regex(r"[a-z0-9_.:-]{1,24}", fullmatch=True)

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
}


def event_strategy(cls, fields=None, ids=None):
    """Events of ``cls`` with plausible field values (``fields`` by field name,
    ``ids`` for originator ids; narrow pools make events collide on the same rows)."""
    fields_by_name = {**EVENT_FIELDS, **(fields or {})}
    drawn = {}
    for name, info in cls.model_fields.items():
        if name in ("originator_id", "originator_version", "timestamp", "originator_topic"):
            continue
        strategy = fields_by_name[name]
        drawn[name] = st.none() | strategy if type(None) in get_args(info.annotation) else strategy
    base = {
        "originator_id": ids if ids is not None else st.uuids(),
        "originator_version": st.integers(1, 2**31),
        "timestamp": st.datetimes(timezones=st.just(UTC)),
    }
    if "originator_topic" in cls.model_fields:
        base["originator_topic"] = st.just("lorekeeper.player")
    return st.builds(cls, **base, **drawn)
