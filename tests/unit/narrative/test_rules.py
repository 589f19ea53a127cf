"""The narrative rules' pure functions and change models, case by case (the
state machines reach them only through random examples)."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from domain.kernel.errors import InvalidCommand
from domain.narrative.rules import (
    METADATA_MAX_KEYS,
    Change,
    ItemAdded,
    Refusal,
    with_choice,
    with_client_part,
    with_flag,
    with_node,
)

CHANGE = TypeAdapter(Change)


def test_flags_are_set_and_cleared_sorted_from_any_state():
    assert with_flag({}, "b", True) == {"flags": ["b"]}
    assert with_flag({"flags": ["c", "a"]}, "b", True) == {"flags": ["a", "b", "c"]}
    assert with_flag({"flags": ["a", "b"]}, "a", False) == {"flags": ["b"]}
    assert with_flag({}, "a", False) == {"flags": []}
    assert with_flag({"flags": ["a"], "gold": 3}, "a", True) == {"flags": ["a"], "gold": 3}


def test_nodes_are_kept_in_order_once():
    assert with_node({}, "n1") == {"nodes": ["n1"]}
    state = {"nodes": ["n1", "n2"]}
    assert with_node(state, "n1") is state
    assert with_node(state, "n0") == {"nodes": ["n1", "n2", "n0"]}


def test_a_choice_replaces_the_option_taken():
    assert with_choice({}, "c1", "yes") == {"choices": {"c1": "yes"}}
    assert with_choice({"choices": {"c1": "yes", "c2": "no"}}, "c1", "no") == {"choices": {"c1": "no", "c2": "no"}}


def test_the_clients_part_is_replaced_and_the_servers_kept():
    state = {"flags": ["a"], "nodes": ["n"], "choices": {"c": "o"}, "gold": 1, "scene": "x"}
    assert with_client_part(state, {"gold": 2}) == {"gold": 2, "flags": ["a"], "nodes": ["n"], "choices": {"c": "o"}}
    with pytest.raises(InvalidCommand, match=r"narrative_state keys \['choices', 'flags'\] change only") as refused:
        with_client_part(state, {"flags": [], "choices": {}, "gold": 2})
    assert refused.value.details == {"reserved_keys": ["choices", "flags"]}


def test_changes_are_strict_at_their_bounds():
    assert CHANGE.validate_python({"type": "flag_set", "flag": "a" * 64}).flag == "a" * 64
    for bad in ("a" * 65, "", "has space", "é"):
        with pytest.raises(ValidationError):
            CHANGE.validate_python({"type": "flag_set", "flag": bad})
    assert CHANGE.validate_python({"type": "node_reached", "node": "Act_1.scene:2-b"}).node == "Act_1.scene:2-b"
    item = CHANGE.validate_python({"type": "item_added", "item_id": "potion", "quantity": 1_000_000})
    assert isinstance(item, ItemAdded) and item.metadata == {}
    for quantity in (0, 1_000_001, "1", True):
        with pytest.raises(ValidationError):
            CHANGE.validate_python({"type": "item_added", "item_id": "potion", "quantity": quantity})
    metadata = {f"k{i}": i for i in range(METADATA_MAX_KEYS)}
    assert CHANGE.validate_python({"type": "item_added", "item_id": "p", "quantity": 1, "metadata": metadata})
    with pytest.raises(ValidationError):
        CHANGE.validate_python(
            {"type": "item_added", "item_id": "p", "quantity": 1, "metadata": {**metadata, "one_more": 1}}
        )
    with pytest.raises(ValidationError):
        CHANGE.validate_python({"type": "flag_set", "flag": "a", "extra": 1})
    for kind in ("quest_progressed", "quest_completed", "quest_failed"):
        assert CHANGE.validate_python({"type": kind, "quest_id": "q1"}).type == kind
    with pytest.raises(ValidationError):
        CHANGE.validate_python({"type": "quest_started", "quest_id": "q1"})
    refusal = Refusal(index=2, change={"type": "flag_set"}, reason="why")
    with pytest.raises(ValidationError):
        refusal.index = 3  # type: ignore[misc]
