"""Action payloads at their boundaries, and what a refusal tells the client."""

from __future__ import annotations

import pytest

from domain.live.actions import ACTION_PAYLOAD_MAX, InvalidAction, parse_action


def test_each_type_parses_with_its_defaults():
    assert parse_action("chat", {"text": "hi"}).payload.channel == "say"
    assert parse_action("system", {"kind": "ping"}).payload.data == {}
    move = parse_action("move", {"x": 1, "y": 2}).payload
    assert (move.x, move.y) == (1, 2)
    assert parse_action("ability", {"name": "heal"}).payload.name == "heal"


@pytest.mark.parametrize(
    ("action_type", "ok", "refused"),
    [
        ("chat", {"text": "x" * 500}, {"text": "x" * 501}),
        ("chat", {"text": "x"}, {"text": ""}),
        ("ability", {"name": "x" * 32}, {"name": "x" * 33}),
        ("ability", {"name": "x"}, {"name": ""}),
    ],
)
def test_lengths_hold_exactly_at_their_bounds(action_type, ok, refused):
    parse_action(action_type, ok)
    with pytest.raises(InvalidAction):
        parse_action(action_type, refused)


def test_the_payload_size_bound_is_exact():
    fits = {"kind": "client_state", "data": {"blob": ""}}
    overhead = len('{"kind":"client_state","data":{"blob":""}}')
    fits["data"]["blob"] = "x" * (ACTION_PAYLOAD_MAX - overhead)
    parse_action("system", fits)
    too_big = {"kind": "client_state", "data": {"blob": "x" * (ACTION_PAYLOAD_MAX - overhead + 1)}}
    with pytest.raises(InvalidAction, match=f"action payloads are limited to {ACTION_PAYLOAD_MAX} bytes"):
        parse_action("system", too_big)


def test_a_refusal_names_the_type_and_each_error_with_its_location():
    with pytest.raises(InvalidAction) as refused:
        parse_action("move", {"x": 1, "z": 2})
    assert refused.value.code == "invalid_action"
    assert refused.value.message == "invalid 'move' action"
    errors = refused.value.details["errors"]
    assert {tuple(e["loc"]) for e in errors} == {("move", "payload", "y"), ("move", "payload", "z")}
    assert all(e["msg"] for e in errors)


def test_unknown_channels_and_kinds_are_refused():
    with pytest.raises(InvalidAction):
        parse_action("chat", {"text": "hi", "channel": "shout"})
    with pytest.raises(InvalidAction):
        parse_action("system", {"kind": "reboot"})
    with pytest.raises(InvalidAction):
        parse_action("dance", {})
