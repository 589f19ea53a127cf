"""A snapshot without personal data is written by orjson from its Python
values (infra/persistence.py: _snapshot_json), not through pydantic's JSON
mode: what it writes reads back as pydantic's would, whatever the state holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import orjson
from pydantic import BaseModel

from domain.kernel.aggregate import Snapshot
from infra.persistence import OrjsonTranscoder, PydanticMapper, _snapshot_json


class Part(BaseModel):
    name: str
    at: datetime


def snapshot(state: dict) -> Snapshot:
    return Snapshot(
        originator_id=uuid4(),
        originator_version=3,
        timestamp=datetime(2026, 12, 4, 23, 0, tzinfo=UTC),
        topic="domain.echoes.market:OrderBook",
        state=state,
    )


def test_a_snapshot_is_written_as_pydantics_json_mode_writes_it():
    when = datetime(2026, 1, 2, 3, 4, 5, 678_000, tzinfo=UTC)
    state = {
        "queue": ((95, 1, "a"), (96, 2, "b")),
        "levels": {"95": (1, 2)},
        "ids": {uuid4(): 1, 7: "seven"},  # keys that are not strings
        "tags": {"x"},
        "price": Decimal("1.50"),
        "part": Part(name="hull", at=when),
        "owner": uuid4(),
    }
    s = snapshot(state)
    written = _snapshot_json(s)
    assert written is not None
    ours, theirs = orjson.loads(written), s.model_dump(mode="json")
    assert ours.pop("timestamp") == "2026-12-04T23:00:00+00:00" and theirs.pop("timestamp") == "2026-12-04T23:00:00Z"
    assert ours == theirs and ours["state"]["part"]["at"] == "2026-01-02T03:04:05.678000Z"


def test_a_value_orjson_cannot_write_is_written_by_pydantic_and_reads_back():
    s = snapshot({"every": timedelta(hours=1), "queue": ((1, 2, "c"),)})
    assert _snapshot_json(s) is None
    mapper = PydanticMapper(transcoder=OrjsonTranscoder())
    back = mapper.to_domain_event(mapper.to_stored_event(s))
    assert back.state == {"every": "PT1H", "queue": [[1, 2, "c"]]} and back.timestamp == s.timestamp
