"""JSON on the wire, read by one strict rule for every HTTP body and WebSocket frame.

- Not JSON (NaN, Infinity, a number that overflows to infinity such as
  ``1e400``, invalid UTF-8, trailing bytes): 400 ``malformed_json``.
- JSON, but a value Lorekeeper cannot keep (``domain/kernel/values.py``: text
  with U+0000, keys included; integers beyond 64 bits; nesting deeper than
  ``MAX_DEPTH``): 422 ``invalid_value``, naming the rule.

The standard library's parser is used, not orjson, because orjson silently
turns integers beyond 64 bits into floats; the cost is measured in
docs/performance.md.
"""

from __future__ import annotations

import json
from typing import Any

from api.problems import Problem
from domain.kernel import values

MAX_DEPTH = values.MAX_DEPTH


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_decoder = json.JSONDecoder(parse_constant=_no_constants)


def malformed(detail: str) -> Problem:
    return Problem(400, "malformed_json", detail)


def loads(body: bytes | str) -> Any:
    """The JSON value of ``body``, or a ``Problem`` (400 or 422) saying why not."""
    try:
        text = body.decode("utf-8") if isinstance(body, bytes | bytearray) else body
    except UnicodeDecodeError:
        raise malformed("the body is not valid UTF-8") from None
    try:
        value = _decoder.decode(text)
    except RecursionError:
        raise refused(f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:  # JSONDecodeError, constants, digits beyond Python's int limit
        if "exceeds the limit" in str(error).lower():
            raise refused("an integer is beyond 64 bits") from None
        raise malformed(f"the body is not valid JSON: {error}") from None
    reason = values.problem(value, MAX_DEPTH)
    if reason == "a number is not finite":  # only an overflowing literal parses to infinity
        raise malformed("a number is too large for a double")
    if reason is not None:
        raise refused(reason)
    return value


def refused(reason: str, where: str = "body") -> Problem:
    return Problem(422, "invalid_value", f"{where}: {reason}", rule=reason)


def check(value: Any, where: str) -> None:
    """Refuse (422) a value that did not come through ``loads`` (query, path, header)."""
    reason = values.problem(value, MAX_DEPTH)
    if reason is not None:
        raise refused(reason, where)
