"""Opaque keyset cursors: base64url of the last item's sort key."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from api.problems import Problem

MAX_LIMIT = 200


def encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(key)).decode().rstrip("=")


def decode_cursor(cursor: str, length: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, orjson.JSONDecodeError, ValueError):
        raise Problem(422, "invalid_cursor", "the cursor is not one this API issued") from None
    if not isinstance(key, list) or len(key) != length:
        raise Problem(422, "invalid_cursor", "the cursor is not one this API issued")
    return key
