"""One aggregate per unordered pair (two characters' relationship, two heroes'
bonds): its id derives from the two ids in sorted order, so the pair of a and
b *is* the pair of b and a, and its two directions can never disagree."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5


def pair(a: UUID, b: UUID) -> tuple[UUID, UUID]:
    """The two ids in the pair's one order."""
    return (a, b) if str(a) < str(b) else (b, a)


def pair_id(kind: str, a: UUID, b: UUID) -> UUID:
    """The pair's aggregate id under ``kind`` (a path: ``adventure/relationships``)."""
    first, second = pair(a, b)
    return uuid5(NAMESPACE_URL, f"lorekeeper:/{kind}/{first}/{second}")
