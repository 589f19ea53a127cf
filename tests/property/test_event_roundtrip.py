"""Every registered event type survives the mapper: stored, read back, equal."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import get_args
from uuid import UUID

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.accounts import PlatformLink, Player
from domain.kernel.aggregate import ERASED, event_classes
from domain.kernel.holdings import Holdings
from domain.live.characters import Character
from domain.live.sessions import PlayerSession
from domain.narrative.catalogue import ItemDefinition, QuestDefinition
from domain.narrative.save_slots import SaveSlot
from infra.crypto import MemoryKeys, SubjectErased
from infra.entrypoints.contexts import domain_contexts
from infra.persistence import OrjsonTranscoder, PersonalDataWithoutKeys, PydanticMapper
from tests import strategies as s
from tests.property.support import MAPPER, through_store

FIELD_STRATEGIES = {
    "display_name": s.display_names,
    "narrative_state": s.narrative_states,
    "owner_id": st.uuids(),
    "player_id": st.uuids(),
    "slot_id": st.uuids().map(str),
    "platform": s.platforms,
    "platform_user_id": s.platform_user_ids,
    "name": s.any_text,
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
    "payload": s.narrative_states,
    "username": st.from_regex(r"[A-Za-z0-9_.-]{3,32}", fullmatch=True),
    "email": st.emails(),
    "password_hash": st.text(min_size=1, max_size=100),
    "failures": st.integers(0, 10),
    "locked_until": st.datetimes(timezones=st.just(UTC)),
    "flag": s.names,
    "holds": st.booleans(),
    "node": s.names,
    "choice": s.names,
    "option": s.names,
    "quest_id": s.names,
    "item_id": s.names,
    "quantity": st.integers(1, 1000),
    "metadata": st.dictionaries(s.names, st.integers(-(2**53), 2**53), max_size=3),
    "source": st.sampled_from(["pickup", "reward", "restore", "spent"]),
    "base_version": st.integers(0, 1000),
    "change_count": st.integers(0, 100),
    "rebased": st.booleans(),
    "restored_from": st.integers(0, 1000),
    "quest": st.builds(
        QuestDefinition, quest_id=s.names, title=st.just("T"), required_flags=st.lists(s.names, max_size=3)
    ),
    "kind": st.sampled_from(["hotfix", "seasonal", "localization"]),
    "version": st.from_regex(r"\d{1,3}(\.\d{1,3}){0,3}", fullmatch=True),
    "required_client_version": st.from_regex(r"\d{1,3}(\.\d{1,3}){0,3}", fullmatch=True),
    "release_notes": st.text(max_size=50),
    "checksum": st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
    "size_bytes": st.integers(0, 2**20),
    "item": st.builds(ItemDefinition, item_id=s.names, name=st.just("I"), max_stack=st.integers(1, 99)),
    "aggregate_id": st.uuids(),
    "aggregate_type": st.sampled_from(["Character", "SaveSlot"]),
}

AGGREGATES = [Holdings, *(cls for context in domain_contexts() for cls in context.aggregates)]
ALL_EVENTS = [cls for agg in AGGREGATES for cls in event_classes(agg)]


def test_every_aggregate_type_is_registered():
    assert {Player, PlatformLink, SaveSlot, Character, PlayerSession} <= set(AGGREGATES)


def test_every_event_has_a_stable_topic_of_its_own():
    topics = [cls.TOPIC for cls in ALL_EVENTS]
    assert len(topics) == len(set(topics))
    assert all(t.startswith("lorekeeper.") for t in topics)


def event_strategy(cls):
    fields = {}
    for name, info in cls.model_fields.items():
        if name in ("originator_id", "originator_version", "timestamp", "originator_topic"):
            continue
        strategy = FIELD_STRATEGIES[name]
        fields[name] = st.none() | strategy if type(None) in get_args(info.annotation) else strategy
    base = {
        "originator_id": st.uuids(),
        "originator_version": st.integers(1, 2**31),
        "timestamp": st.datetimes(timezones=st.just(UTC)),
    }
    if "originator_topic" in cls.model_fields:
        base["originator_topic"] = st.just("lorekeeper.player")
    return st.builds(cls, **base, **fields)


@pytest.mark.parametrize("cls", ALL_EVENTS, ids=lambda c: c.TOPIC)
@given(data=st.data())
def test_events_round_trip_through_the_mapper(cls, data):
    event = data.draw(event_strategy(cls))
    stored = MAPPER.to_stored_event(event)
    assert stored.topic == cls.TOPIC
    assert isinstance(stored.originator_id, UUID)
    assert through_store(event) == event


def test_a_timestamp_keeps_its_timezone():
    event = Player.Seen(
        originator_id=UUID(int=1), originator_version=2, timestamp=datetime.now(UTC), at=datetime.now(UTC)
    )
    assert through_store(event).at.tzinfo is not None


PERSONAL_EVENTS = [cls for cls in ALL_EVENTS if cls.PERSONAL]


@pytest.mark.parametrize("cls", PERSONAL_EVENTS, ids=lambda c: c.TOPIC)
@given(data=st.data())
def test_personal_fields_are_stored_sealed_and_read_as_erased_once_the_key_is_gone(cls, data):
    event = data.draw(event_strategy(cls))
    stored = orjson.loads(MAPPER.to_stored_event(event).state)
    assert not set(cls.PERSONAL) & set(stored)  # no personal field in the clear
    ciphertext = base64.b64decode(stored["$personal"]["sealed"])
    for name in cls.PERSONAL:
        value = getattr(event, name)
        if isinstance(value, str) and len(value) >= 4:
            assert value.encode() not in ciphertext
    keys = MemoryKeys()
    mapper = PydanticMapper(transcoder=OrjsonTranscoder())
    mapper.keys = keys
    sealed = mapper.to_stored_event(event)
    assert mapper.to_domain_event(sealed) == event
    keys.destroy(event.personal().subject)
    erased = mapper.to_domain_event(sealed)
    assert all(getattr(erased, name) == ERASED for name in cls.PERSONAL)
    with pytest.raises(SubjectErased):
        mapper.to_stored_event(event)


def test_a_mapper_without_keys_refuses_personal_data():
    mapper = PydanticMapper(transcoder=OrjsonTranscoder())
    event = Player.Renamed(
        originator_id=UUID(int=1), originator_version=2, timestamp=datetime.now(UTC), display_name="Ann"
    )
    with pytest.raises(PersonalDataWithoutKeys):
        mapper.to_stored_event(event)
