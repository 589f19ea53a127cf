"""The pure parts of the analysts' history: topic globs, cuts, timestamps."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import orjson
import pytest

from infra.selection import BadSelection, like_pattern, parse_cut, parse_globs, parse_time, stamp_of


def like_matches(pattern: str, text: str) -> bool:
    """SQL LIKE with backslash escapes, as PostgreSQL applies it."""
    regex, i = "", 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            regex += re.escape(pattern[i + 1])
            i += 2
            continue
        regex += ".*" if c == "%" else "." if c == "_" else re.escape(c)
        i += 1
    return re.fullmatch(regex, text, re.S) is not None


@pytest.mark.parametrize(
    ("glob", "topic", "matches"),
    [
        ("lorekeeper.save_slot.*", "lorekeeper.save_slot.ProgressSaved", True),
        ("lorekeeper.save_slot.*", "lorekeeper.saveXslot.ProgressSaved", False),  # '_' is literal
        ("lorekeeper.player.Created", "lorekeeper.player.Created", True),
        ("lorekeeper.player.Created", "lorekeeper.player.CreatedX", False),
        ("lorekeeper.*.Created", "lorekeeper.save_slot.Created", True),
        ("lorekeeper.player.?reated", "lorekeeper.player.Created", True),
        ("*", "anything.at.all", True),
    ],
)
def test_globs_become_like_patterns_that_match_as_globs_do(glob, topic, matches):
    assert like_matches(like_pattern(glob), topic) is matches


def test_globs_are_parsed_and_bounded():
    assert parse_globs(None) == () and parse_globs(" ") == ()
    assert parse_globs("a.*, b.c ,") == ("a.*", "b.c")
    for bad in ("a%b", "a b", "a'b", "x" * 201, ",".join(["a"] * 33)):
        with pytest.raises(BadSelection):
            parse_globs(bad)


def test_a_cut_is_a_position_or_a_time():
    assert parse_cut("42") == 42
    assert parse_cut("2026-11-22T12:00:00Z") == datetime(2026, 11, 22, 12, tzinfo=UTC)
    assert parse_cut("2026-11-22") == datetime(2026, 11, 22, tzinfo=UTC)  # without a zone: UTC
    assert parse_time("2026-11-22T12:00:00+02:00").utcoffset().total_seconds() == 7200
    for bad in ("yesterday", "1" * 19, "-1", ""):
        with pytest.raises(BadSelection):
            parse_cut(bad)


def test_the_timestamp_is_found_without_parsing_and_only_at_the_top_level():
    event = {
        "originator_id": "0b6f1f2e-0000-4000-8000-000000000000",
        "originator_version": 12,
        "timestamp": "2026-11-22T21:43:41.123456Z",
        "narrative_state": {"timestamp": "not this one"},
    }
    assert stamp_of(orjson.dumps(event)) == b"2026-11-22T21:43:41.123456Z"
    assert stamp_of(orjson.dumps({"originator_id": "x", "state": {}})) is None
