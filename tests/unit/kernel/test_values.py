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


@pytest.mark.parametrize("where", ["top", "in a list", "as a subclass"])
def test_integers_are_kept_exactly_within_64_bits(where):
    from domain.kernel.values import INT64_MAX, INT64_MIN, problem

    class Number(int):
        pass

    def placed(n: int):
        return {"top": n, "in a list": [n], "as a subclass": Number(n)}[where]

    assert problem(placed(INT64_MAX)) is None and problem(placed(INT64_MIN)) is None
    assert problem(placed(INT64_MAX + 1)) == "an integer is beyond 64 bits"
    assert problem(placed(INT64_MIN - 1)) == "an integer is beyond 64 bits"


def test_every_refusal_says_which_rule():
    from domain.kernel.values import problem

    assert problem("a\x00b") == "text contains U+0000"
    assert problem(["a\x00b"]) == "text contains U+0000"
    assert problem("\ud800") == "text contains a lone surrogate"
    assert problem(["\ud800"]) == "text contains a lone surrogate"  # nested, not ASCII
    assert problem({"\ud800": 1}) == "text contains a lone surrogate"
    assert problem({"a\x00": 1}) == "text contains U+0000"
    assert problem({1: "x"}) == "an object key is not text"
    assert problem([float("nan")]) == "a number is not finite"
    assert problem(float("inf")) == "a number is not finite"
    assert problem(["é", {"ключ": "значение"}, True, None, 1.5]) is None


def test_depth_is_bounded_exactly():
    from domain.kernel.values import check, problem

    def nested(levels: int):
        value: object = 1
        for _ in range(levels):
            value = [value]
        return value

    assert problem(nested(3), max_depth=3) is None
    assert problem(nested(4), max_depth=3) == "nested deeper than 3 levels"
    assert problem({"a": {"b": {"c": 1}}}, max_depth=3) is None
    assert problem({"a": {"b": {"c": {}}}}, max_depth=3) == "nested deeper than 3 levels"
    with pytest.raises(values.UnstorableValue, match=r"^value: nested deeper than 2 levels$"):
        check(nested(3), max_depth=2)
    with pytest.raises(values.UnstorableValue, match=r"^row\.payload: text contains U"):
        check({"x": "\x00"}, "row.payload")
