"""Random ids at the rate a hot aggregate makes them.

``uuid4`` and ``secrets`` read the operating system's entropy for every id:
a system call each, a fifth of an order's placement in the market's engine
on these machines (``bench/echoes_market.py``). These ids come from one
generator seeded from that entropy instead, reseeded in a forked child so
that two worker processes never share a stream; ``getrandbits`` is one C
call, so threads cannot interleave inside it. The ids are unique, not
secret: nothing grants access to whoever knows one (orders are checked
against their owner), so a generator that could be predicted from many of
its outputs is enough.
"""

from __future__ import annotations

import os
import random
from uuid import UUID, SafeUUID

_generator = random.Random()  # seeded from os.urandom
os.register_at_fork(after_in_child=_generator.seed)

_VERSION_4 = 0x4 << 76
_RFC_VARIANT = 0b10 << 62
_KEEP = ~((0xF << 76) | (0b11 << 62))  # all but the version's and variant's bits


_set = object.__setattr__
_UNKNOWN = SafeUUID.unknown  # an enum member's lookup costs as much as the rest of uuid_of


def random_bits(bits: int) -> int:
    return _generator.getrandbits(bits)


def uuid_of(value: int) -> UUID:
    """The UUID of a 128-bit value already laid out as one (version and
    variant set): what ``UUID(int=value)`` makes, without its argument
    parsing, which is two thirds of its microsecond. ``UUID`` keeps its
    value in two slots (``int``, ``is_safe``) and forbids setting them."""
    if not 0 <= value < 2**128:
        raise ValueError("a UUID is 128 bits")
    uuid = object.__new__(UUID)
    _set(uuid, "int", value)
    _set(uuid, "is_safe", _UNKNOWN)
    return uuid


def random_uuid() -> UUID:
    """A version-4 (random) UUID, as ``uuid4`` makes, without a system call."""
    return uuid_of((_generator.getrandbits(128) & _KEEP) | _VERSION_4 | _RFC_VARIANT)


def text_of(uuid: UUID) -> str:
    """``str(uuid)``, remembered for the ids a hot path sees again and again
    (a pilot's, an open order's): half a microsecond each time, and an order's
    placement and fills asked for one five times. Kept by hand, not with
    ``lru_cache``: that would key by the UUID, whose hash is Python code, and
    could not answer ``uuid_from_text`` from the same memory. Bounded:
    emptied when full (an id seen again is text again in half a microsecond)."""
    value = uuid.int
    text = _texts.get(value)
    if text is None:
        text = str(uuid)
        _remember(value, text, uuid)
    return text


def uuid_from_text(text: str) -> UUID:
    """``UUID(text)`` (a microsecond), remembered likewise: the ids a book
    keeps as text are those whose text ``text_of`` made."""
    uuid = _uuids.get(text)
    if uuid is None:
        uuid = UUID(text)
        _remember(uuid.int, str(uuid), uuid)
    return uuid


IDS_KEPT = 65_536
_texts: dict[int, str] = {}
_uuids: dict[str, UUID] = {}


def _remember(value: int, text: str, uuid: UUID) -> None:
    if len(_texts) >= IDS_KEPT:  # one entry each way per id: the two are as long
        _texts.clear()
        _uuids.clear()
    _texts[value] = text
    _uuids[text] = uuid
