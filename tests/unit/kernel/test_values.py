"""The one rule for accepted values: what the edge refuses and the read side never meets."""

from __future__ import annotations

import enum
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.kernel import values

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(values.INT64_MIN, values.INT64_MAX)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text().filter(lambda t: "\x00" not in t),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text().filter(lambda t: "\x00" not in t), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(JSON)
def test_any_storable_json_value_is_accepted(value):
    assert values.problem(value) is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("a\x00b", "U+0000"),
        ({"k\x00": 1}, "U+0000"),
        ([{"deep": ["x\x00"]}], "U+0000"),
        (2**63, "64 bits"),
        (-(2**63) - 1, "64 bits"),
        ({"n": [2**64]}, "64 bits"),
        (float("nan"), "not finite"),
        ([float("inf")], "not finite"),
    ],
)
def test_each_rule_is_enforced_at_any_depth_and_in_keys(value, reason):
    assert reason in values.problem(value)
    with pytest.raises(values.UnstorableValue, match=re.escape(reason)):
        values.check(value, "body")


def test_the_bounds_themselves_are_accepted():
    assert values.problem([values.INT64_MIN, values.INT64_MAX]) is None


def test_depth_is_bounded_without_recursion():
    nested: object = 1
    for _ in range(100_000):
        nested = [nested]
    assert "nested deeper" in values.problem(nested)
    within: object = 1
    for _ in range(values.MAX_DEPTH):
        within = {"a": within}
    assert values.problem(within) is None
    assert "nested deeper" in values.problem([within])


def test_subclasses_of_json_types_are_checked_as_their_base():
    class Big(enum.IntEnum):
        HUGE = 2**70

    class Text(str):
        def __contains__(self, item: object) -> bool:
            return False

    assert "64 bits" in values.problem({"x": Big.HUGE})
    assert "U+0000" in values.problem(Text("a\x00"))
    assert values.problem(True) is None


def test_the_walk_is_bounded_by_the_containers_it_visits():
    from domain.kernel.values import MAX_CONTAINERS, problem

    value = [[1], [2], [3]]  # four containers
    assert problem(value, max_containers=4) is None
    assert problem(value, max_containers=3) == "more than 3 nested values"
    assert problem({"a": {"b": [1, 2]}}, max_containers=3) is None
    assert MAX_CONTAINERS >= 1_000_000
