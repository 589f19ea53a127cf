"""Ids made and read without a system call or a parse each time
(``domain/kernel/ids.py``): what they promise is what ``uuid`` promises."""

from __future__ import annotations

import os
from uuid import UUID, uuid4

import pytest

from domain.kernel import ids
from domain.kernel.ids import random_uuid, text_of, uuid_from_text, uuid_of


def test_a_random_uuid_is_a_version_4_uuid_and_never_repeats():
    made = [random_uuid() for _ in range(10_000)]
    assert len(set(made)) == len(made)
    assert all(u.version == 4 and u.variant == "specified in RFC 4122" for u in made)
    assert made[0] == UUID(str(made[0])) and len({u.int >> 64 for u in made}) > 9_990  # both halves random


def test_a_uuid_of_a_value_is_the_uuid_of_that_int():
    for value in (0, 1, uuid4().int, 2**128 - 1):
        made = uuid_of(value)
        assert made == UUID(int=value) and str(made) == str(UUID(int=value)) and hash(made) == hash(UUID(int=value))
        assert made.is_safe == UUID(int=value).is_safe
    for value in (-1, 2**128):
        with pytest.raises(ValueError, match=r"^a UUID is 128 bits$"):
            uuid_of(value)


def test_text_and_uuid_go_both_ways_and_what_is_kept_is_bounded(monkeypatch):
    monkeypatch.setattr(ids, "IDS_KEPT", 4)
    ids._texts.clear()
    ids._uuids.clear()
    made = [uuid4() for _ in range(4)]
    for kept, u in enumerate(made, start=1):
        text = text_of(u)
        assert text == str(u) and text_of(u) is text  # remembered, not made again
        assert uuid_from_text(text) is u  # the same id, remembered both ways
        assert ids._texts == {m.int: str(m) for m in made[:kept]} and ids._uuids == {str(m): m for m in made[:kept]}
    fifth = uuid4()
    assert uuid_from_text(str(fifth)) == fifth and ids._uuids == {str(fifth): fifth}  # full: emptied first
    assert ids._texts == {fifth.int: str(fifth)} and uuid_from_text(str(fifth)) is ids._uuids[str(fifth)]
    assert uuid_from_text(str(fifth).upper()) == fifth  # any text UUID reads, as UUID() does
    assert ids._uuids == {str(fifth): fifth}  # kept under its own text


def test_a_forked_child_draws_other_ids_than_its_parent():
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's own process
        os.write(write, random_uuid().bytes)
        os._exit(0)
    os.close(write)
    theirs = os.read(read, 16)
    os.waitpid(child, 0)
    assert theirs != random_uuid().bytes
