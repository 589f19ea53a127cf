"""The values Lorekeeper accepts anywhere: what PostgreSQL can store and JSON
can carry without loss. One rule, used at the edge (request bodies, WebSocket
frames) and again by the read side before it writes a row:

- no text with U+0000 (PostgreSQL ``text`` and ``jsonb`` refuse it) or a lone
  surrogate (not encodable as UTF-8), keys included, and object keys are text;
- integers within 64 bits (``bigint``; ``jsonb`` would keep them, but no reader could);
- only finite floats (JSON has no NaN or Infinity);
- nesting at most ``MAX_DEPTH`` deep (deeper values exhaust recursion in parsers and in PostgreSQL).

Hand-written rather than a JSON-schema library: it walks any Python value
(dicts from orjson, rows built by projections), iteratively, with no recursion
limit of its own, and it is the hot path of projection catch-up.
"""

from __future__ import annotations

import math
from typing import Any

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_DEPTH = 64
# Containers walked in one value: a bound on the work (far beyond what any body
# the edge accepts can hold), so no value, and no mistake in the walk, runs forever.
MAX_CONTAINERS = 1_000_000


class UnstorableValue(ValueError):
    """A value Lorekeeper does not accept (the message says which rule and where)."""


def problem(value: Any, max_depth: int = MAX_DEPTH, max_containers: int = MAX_CONTAINERS) -> str | None:
    """Why ``value`` cannot be accepted, or ``None`` when it can."""
    kind = type(value)
    if kind is str:  # the common cases, without the walk
        return _text_problem(value)
    if kind is int:
        return _int_problem(value)
    return _walk(value, max_depth, max_containers)


def problem_since(
    value: Any, before: Any, max_depth: int = MAX_DEPTH, max_containers: int = MAX_CONTAINERS
) -> str | None:
    """``problem(value)`` for a value made from ``before``, which was accepted:
    what is, at the same key, the very object ``before`` held is not walked
    again (nor its key looked at). A read model's row rewritten by one event
    keeps most of its objects: a chunk's 4,096 blocks are looked up, not
    walked, when an edit changes 16 of them. (As for a whole column before:
    this trusts that no one changed ``before``'s objects in place.)"""
    if type(value) is not dict or type(before) is not dict:
        return problem(value, max_depth, max_containers)
    stack: list[tuple[dict[Any, Any], dict[Any, Any], int]] = [(value, before, 0)]
    pop, push = stack.pop, stack.append
    for _ in range(max_containers):  # pairs of objects compared: bounded as the walk is
        if not stack:
            return None
        new, old, depth = pop()
        if depth >= max_depth:
            return f"nested deeper than {max_depth} levels"
        get = old.get
        for key, inner in new.items():
            prior = get(key, _ABSENT)
            if prior is _ABSENT:
                if type(key) is not str:
                    return "an object key is not text"
                reason = _text_problem(key)
                if reason is not None:
                    return reason
            if inner is prior:
                continue
            kind = type(inner)
            if kind is dict and type(prior) is dict:
                push((inner, prior, depth + 1))
                continue
            if kind is str:
                reason = _text_problem(inner) if "\x00" in inner or not inner.isascii() else None
            else:
                reason = _walk(inner, max_depth, max_containers, depth + 1)
            if reason is not None:
                return reason
    return None if not stack else f"more than {max_containers} nested values"


_ABSENT = object()


def _walk(value: Any, max_depth: int, max_containers: int, depth: int = 0) -> str | None:
    """Containers go on a stack (no recursion limit); the scalars in them are
    checked where they are found (the hot path of projection catch-up).
    ``depth``: how deep ``value`` itself sits."""
    stack: list[tuple[Any, int]] = [(value, depth)]
    pop, push = stack.pop, stack.append
    for _ in range(max_containers):
        if not stack:
            return None
        item, depth = pop()
        kind = type(item)
        if kind is dict:
            if depth >= max_depth:
                return f"nested deeper than {max_depth} levels"
            for key in item:
                if type(key) is not str:
                    return "an object key is not text"
                if "\x00" in key or not key.isascii():
                    reason = _text_problem(key)
                    if reason is not None:
                        return reason
            members = item.values()
        elif kind is list or kind is tuple:
            if depth >= max_depth:
                return f"nested deeper than {max_depth} levels"
            members = item
        else:
            reason = _scalar_problem(item, kind)
            if reason is _SUBCLASS:
                push((_plain(item), depth))
            elif reason is not None:
                return reason
            continue
        for inner in members:
            inner_kind = type(inner)
            if inner_kind is str:
                if "\x00" in inner or not inner.isascii():
                    reason = _text_problem(inner)
                    if reason is not None:
                        return reason
            elif inner_kind is int:
                reason = _int_problem(inner)
                if reason is not None:
                    return reason
            elif inner is not None and inner_kind is not bool:
                push((inner, depth + 1))
    return None if not stack else f"more than {max_containers} nested values"


_SUBCLASS = "a subclass of a JSON type"


def _scalar_problem(item: Any, kind: type[Any]) -> str | None:
    if kind is str:
        return _text_problem(item)
    if kind is int:
        return _int_problem(item)
    if kind is float:
        return None if math.isfinite(item) else "a number is not finite"
    if item is None or kind is bool:
        return None
    if isinstance(item, str | int | float | dict | list | tuple):  # subclasses: checked as their base
        return _SUBCLASS
    return None


def _int_problem(number: int) -> str | None:
    return None if INT64_MIN <= number <= INT64_MAX else "an integer is beyond 64 bits"


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "text contains U+0000"
    if not text.isascii():
        try:
            text.encode()  # UTF-8
        except UnicodeEncodeError:  # a lone surrogate (JSON's "\ud800" escapes make them)
            return "text contains a lone surrogate"
    return None


def check(value: Any, where: str = "value", max_depth: int = MAX_DEPTH) -> None:
    """Raise ``UnstorableValue`` (naming ``where``) if ``value`` cannot be accepted."""
    reason = problem(value, max_depth)
    if reason is not None:
        raise UnstorableValue(f"{where}: {reason}")


def _plain(item: Any) -> Any:
    """A subclass of a JSON type as the plain type (a str subclass may override
    ``__contains__``). ``bool`` cannot be subclassed, so it never comes here."""
    kinds: tuple[type[Any], ...] = (str, int, float, dict, list, tuple)
    for kind in kinds:
        if isinstance(item, kind):
            return kind(item)
    return item
