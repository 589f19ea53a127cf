"""A guild's roster: its members in the order they joined, who could be met at
a minute, and the one copy shared by every guild copy with the same members."""

from __future__ import annotations

from uuid import UUID

import pytest

from domain.tycoon import roster as rosters
from domain.tycoon.roster import Roster, roster

GUILD = UUID(int=7)


@pytest.fixture(autouse=True)
def fresh_rosters(monkeypatch):
    monkeypatch.setattr(rosters, "_ROSTERS", {})


def test_members_are_kept_in_the_order_they_joined_ties_by_id():
    kept = Roster({"b": 5, "a": 5, "c": 1})
    assert kept.ids == ["c", "a", "b"]
    assert kept.minutes == [1, 5, 5]


def test_who_could_be_met_is_who_joined_before_the_minute_sorted_by_id():
    kept = Roster({"z": 1, "b": 5, "a": 5, "c": 9})
    assert kept.joined_before(1) == ()
    assert kept.joined_before(2) == ("z",)
    assert kept.joined_before(5) == ("z",)
    assert kept.joined_before(6) == ("a", "b", "z")
    assert kept.joined_before(100) == ("a", "b", "c", "z")


def test_each_count_of_members_is_sorted_once():
    kept = Roster({"b": 1, "a": 2})
    assert kept.joined_before(3) is kept.joined_before(4)
    assert set(kept.sorted) == {2}


def test_guild_copies_with_the_same_members_share_one_roster():
    members = {"a": 1, "b": 2}
    assert roster(GUILD, members) is roster(GUILD, dict(members))
    assert roster(GUILD, members) is not roster(UUID(int=8), members)


def test_a_join_that_lost_a_race_names_another_roster():
    won, lost = roster(GUILD, {"a": 1, "b": 2}), roster(GUILD, {"a": 1, "c": 2})
    assert won is not lost
    assert (won.joined_before(3), lost.joined_before(3)) == (("a", "b"), ("a", "c"))


def test_a_guild_without_members_has_an_empty_roster():
    assert roster(GUILD, {}).joined_before(10) == ()


def test_the_shared_rosters_are_bounded(monkeypatch):
    monkeypatch.setattr(rosters, "_ROSTERS_MAX", 3)
    for count in range(1, 4):
        roster(GUILD, {str(n): n for n in range(count)})
    assert len(rosters._ROSTERS) == 3
    roster(GUILD, {str(n): n for n in range(4)})  # the fourth empties the full map first
    assert len(rosters._ROSTERS) == 1
