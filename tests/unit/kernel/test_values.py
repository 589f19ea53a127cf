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


def nested(levels: int) -> object:
    """1 inside ``levels`` lists."""
    value: object = 1
    for _ in range(levels):
        value = [value]
    return value


def test_depth_is_bounded_exactly():
    from domain.kernel.values import check, problem

    assert problem(nested(3), max_depth=3) is None
    assert problem(nested(4), max_depth=3) == "nested deeper than 3 levels"
    assert problem({"a": {"b": {"c": 1}}}, max_depth=3) is None
    assert problem({"a": {"b": {"c": {}}}}, max_depth=3) == "nested deeper than 3 levels"
    with pytest.raises(values.UnstorableValue, match=r"^value: nested deeper than 2 levels$"):
        check(nested(3), max_depth=2)
    with pytest.raises(values.UnstorableValue, match=r"^row\.payload: text contains U"):
        check({"x": "\x00"}, "row.payload")


# -- a value made from one already accepted (a read model's row rewritten) ------------------------

BAD = st.sampled_from(["a\x00b", "\ud800", 2**64, -(2**63) - 1, float("inf"), float("nan")])
MAYBE_BAD = st.recursive(
    JSON | BAD,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=3) | BAD.filter(str.__instancecheck__), inner, max_size=3)
    ),
    max_leaves=8,
)


def derived(data, old):
    """A value made from ``old`` as a handler makes one: most of it the very same
    objects, some of it replaced, removed or added, possibly with bad values."""
    if type(old) is not dict or data.draw(st.integers(0, 4)) == 0:
        return data.draw(MAYBE_BAD) if data.draw(st.booleans()) else old
    new = {}
    for key, inner in old.items():
        choice = data.draw(st.integers(0, 5))
        if choice == 0:
            continue  # removed
        new[key] = data.draw(MAYBE_BAD) if choice == 1 else derived(data, inner) if choice == 2 else inner
    for key in data.draw(st.lists(st.text(max_size=3) | st.sampled_from(["k\x00", "\udc00", 7]), max_size=2)):
        new[key] = data.draw(MAYBE_BAD)
    return new


@given(st.dictionaries(st.text(max_size=3).filter(lambda t: "\x00" not in t), JSON, max_size=5), st.data())
def test_a_value_made_from_an_accepted_one_is_refused_exactly_when_a_full_walk_refuses_it(old, data):
    assert values.problem(old) is None
    new = derived(data, old)
    assert (values.problem_since(new, old) is None) == (values.problem(new) is None)


def test_what_the_value_before_held_at_the_same_key_is_not_walked_again():
    shared = ["trusted\x00"]  # as if accepted before: the same object is not looked at again
    assert values.problem_since({"a": {"b": shared}, "c": 1}, {"a": {"b": shared}}) is None
    assert values.problem_since({"a": {"moved": shared}}, {"a": {"b": shared}}) == "text contains U+0000"
    assert values.problem_since({"a": {"b": list(shared)}}, {"a": {"b": shared}}) == "text contains U+0000"
    assert values.problem_since({"\ud800": 1}, {}) == "text contains a lone surrogate"
    assert values.problem_since({1: 1}, {}) == "an object key is not text"
    assert values.problem_since({"k\x00": shared}, {"k\x00": shared}) is None  # a key already there
    assert values.problem_since({"a": "x\x00"}, {"a": "y"}) == "text contains U+0000"  # text changed
    assert values.problem_since({"a": "\ud800"}, {"a": "y"}) == "text contains a lone surrogate"
    assert values.problem_since({"a": "é", "b": "x"}, {"a": "y"}) is None


def test_a_value_made_from_another_is_bounded_by_depth_and_containers_as_a_full_walk():
    old = {"a": {"b": 1}}
    assert values.problem_since({"a": {"b": nested(1)}}, old, max_depth=3) is None
    assert values.problem_since({"a": {"b": nested(2)}}, old, max_depth=3) == "nested deeper than 3 levels"
    assert values.problem_since({"a": {"b": {"c": {}}}}, {"a": {"b": {"c": 1}}}, max_depth=3) == (
        "nested deeper than 3 levels"
    )
    assert values.problem_since({"a": {"b": {"c": 1}}}, {"a": {"b": {"c": 0}}}, max_depth=3) is None
    deep, before = {"a": {"b": {"c": {"d": 1}}}}, {"a": {"b": {"c": {"d": 0}}}}  # objects compared 4 deep
    assert values.problem_since(deep, before, max_depth=3) == values.problem(deep, max_depth=3)
    assert values.problem_since(deep, before, max_depth=4) is None
    assert values.problem_since(nested(2), {}, max_depth=1) == "nested deeper than 1 levels"  # not an object
    assert values.problem_since([[1], [2]], {}, max_containers=2) == "more than 2 nested values"
    assert values.problem_since({"a": {"b": 2}, "c": 3}, old, max_containers=2) is None  # two pairs compared
    assert values.problem_since({"a": {"b": 2}, "c": 3}, old, max_containers=1) == "more than 1 nested values"
    assert values.problem_since({"a": [[1], [2]]}, old, max_containers=3) is None  # a new list: walked as a whole
    assert values.problem_since({"a": [[1], [2]]}, old, max_containers=2) == "more than 2 nested values"
    assert values.problem_since("x\x00", old) == "text contains U+0000"
    assert values.problem_since(old, old) is None
