"""Every registered event type survives the mapper: stored, read back, equal."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
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
from domain.narrative.save_slots import SaveSlot
from infra.crypto import MemoryKeys, SubjectErased
from infra.entrypoints.contexts import domain_contexts
from infra.persistence import OrjsonTranscoder, PersonalDataWithoutKeys, PydanticMapper
from tests.property.support import MAPPER, through_store
from tests.strategies import event_strategy

AGGREGATES = [Holdings, *(cls for context in domain_contexts() for cls in context.aggregates)]
ALL_EVENTS = [cls for agg in AGGREGATES for cls in event_classes(agg)]


def test_every_aggregate_type_is_registered():
    assert {Player, PlatformLink, SaveSlot, Character, PlayerSession} <= set(AGGREGATES)


def test_every_event_has_a_stable_topic_of_its_own():
    topics = [cls.TOPIC for cls in ALL_EVENTS]
    assert len(topics) == len(set(topics))
    assert all(t.startswith("lorekeeper.") for t in topics)


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
