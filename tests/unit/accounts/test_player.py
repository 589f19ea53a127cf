"""Player rules, without I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.accounts.claims import PlatformLink, platform_link_id
from domain.accounts.errors import InvalidPlatformLink, PlatformIdTaken, SaveSlotLimitReached
from domain.accounts.players import SEEN_RESOLUTION, Player
from domain.kernel.text import InvalidDisplayName


def test_an_anonymous_player_starts_without_name_links_or_slots():
    player = Player.create()
    assert player.display_name is None
    assert player.platform_links == {}
    assert player.save_slot_ids == []
    assert player.telemetry_opt_out is False
    assert [type(e) for e in player.collect_events()] == [Player.Created]


def test_display_names_are_trimmed_and_normalised():
    player = Player.create("  Ada  ")
    assert player.display_name == "Ada"
    player.rename("Cafe\u0301")  # decomposed é
    assert player.display_name == "Caf\u00e9"


@pytest.mark.parametrize("bad", ["", "   ", "x" * 65, "tab\there", "nul\x00"])
def test_a_display_name_must_be_short_and_printable(bad):
    player = Player.create()
    with pytest.raises(InvalidDisplayName):
        player.rename(bad)
    assert player.version == 1


def test_renaming_to_the_same_name_records_nothing():
    player = Player.create("Ada")
    player.rename("Ada")
    assert player.version == 1


def test_linking_a_platform_records_the_id_and_relinking_it_is_a_no_op():
    player = Player.create()
    player.link_platform("Steam", " 765 ")
    assert player.platform_links == {"steam": "765"}
    player.link_platform("steam", "765")
    assert player.version == 2


def test_a_player_cannot_hold_two_ids_on_one_platform():
    player = Player.create()
    player.link_platform("steam", "1")
    with pytest.raises(PlatformIdTaken):
        player.link_platform("steam", "2")


@pytest.mark.parametrize(("platform", "user_id"), [("myspace", "1"), ("steam", ""), ("steam", "x" * 129)])
def test_platform_links_must_name_a_known_platform_and_an_id(platform, user_id):
    with pytest.raises(InvalidPlatformLink):
        Player.create().link_platform(platform, user_id)


def test_presence_is_recorded_at_most_once_per_resolution():
    player = Player.create()
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    player.mark_seen(t0)
    player.mark_seen(t0 + SEEN_RESOLUTION - timedelta(seconds=1))
    assert player.last_seen == t0
    player.mark_seen(t0 + SEEN_RESOLUTION)
    assert player.last_seen == t0 + SEEN_RESOLUTION
    assert player.version == 3


def test_telemetry_opt_out_records_only_changes():
    player = Player.create()
    player.set_telemetry_opt_out(False)
    assert player.version == 1
    player.set_telemetry_opt_out(True)
    assert player.telemetry_opt_out is True
    assert player.version == 2


def test_a_player_holds_a_bounded_number_of_save_slots():
    player = Player.create()
    for _ in range(3):
        player.open_save_slot(uuid4(), limit=3)
    with pytest.raises(SaveSlotLimitReached) as caught:
        player.open_save_slot(uuid4(), limit=3)
    assert caught.value.details == {"limit": 3}
    assert len(player.save_slot_ids) == 3


def test_platform_link_ids_are_derived_from_the_platform_identity():
    owner = uuid4()
    link = PlatformLink(platform="steam", platform_user_id="765", player_id=owner)
    assert link.id == platform_link_id("steam", "765")
    assert link.owner_id == owner
    assert platform_link_id("steam", "765") != platform_link_id("psn", "765")
