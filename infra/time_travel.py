"""Any aggregate as it was at a version or a time (``GET /v1/aggregates/{id}``).

The store rebuilds a past version from the nearest snapshot at or below it plus
the events after it (``Lorekeeper.load_at``), so the cost follows the snapshot
interval, not the aggregate's length. A time becomes the aggregate's last
version stamped at or before it, by bisection over its versions: about
``log2(version)`` one-row reads.

The state is the aggregate's own attributes as JSON. Personal attributes
(``Aggregate.personal_state``) read as ``"[sealed]"`` to a reader who may not
open them; an erased player's read as their erased values for everyone.
Credentials (``SECRETS``) are never shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.application import AggregateNotFoundError
from pydantic_core import to_jsonable_python

from domain.kernel.aggregate import Aggregate
from domain.kernel.errors import NotFound
from domain.kernel.store import Lorekeeper
from infra.fanout.messages import aggregate_of
from infra.history import SECRETS

SEALED = "[sealed]"


@dataclass(frozen=True)
class PastState:
    aggregate: Aggregate
    aggregate_type: str

    @property
    def owner_id(self) -> UUID | None:
        return self.aggregate.owner_id

    def body(self, open_personal: bool) -> dict[str, Any]:
        aggregate = self.aggregate
        state = {k: v for k, v in aggregate.state().items() if k not in SECRETS}
        if not open_personal:
            for name, erased in type(aggregate).personal_state.items():
                if name in state and state[name] not in (erased, None) and name not in SECRETS:
                    state[name] = SEALED
        return {
            "aggregate_id": aggregate.id,
            "aggregate_type": self.aggregate_type,
            "version": aggregate.version,
            "state": orjson.loads(orjson.dumps(state, default=to_jsonable_python)),
        }


class TimeTravel:
    def __init__(self, store: Lorekeeper, decode: Callable[[bytes], dict[str, Any]]) -> None:
        self.store = store
        self.decode = decode

    def last_version(self, aggregate_id: UUID) -> int:
        found = self.store.recorder.select_events(aggregate_id, desc=True, limit=1)
        if not found:
            raise NotFound(f"no aggregate {aggregate_id}", id=str(aggregate_id))
        return int(found[0].originator_version)

    def version_at(self, aggregate_id: UUID, when: datetime) -> int:
        """The last version stamped at or before ``when``; NotFound if it did not exist yet."""
        low, high = 0, self.last_version(aggregate_id)
        while low < high:
            middle = (low + high + 1) // 2
            found = self.store.recorder.select_events(aggregate_id, gt=middle - 1, lte=middle, limit=1)
            if found and datetime.fromisoformat(self.decode(found[0].state)["timestamp"]) <= when:
                low = middle
            else:
                high = middle - 1
        if low == 0:
            raise NotFound(f"aggregate {aggregate_id} did not exist yet at {when.isoformat()}", id=str(aggregate_id))
        return low

    def at(self, aggregate_id: UUID, *, version: int | None = None, when: datetime | None = None) -> PastState:
        """The aggregate at ``version``, at ``when``, or now."""
        if when is not None:
            version = self.version_at(aggregate_id, when)
        else:
            last = self.last_version(aggregate_id)
            if version is not None and version > last:
                raise NotFound(
                    f"aggregate {aggregate_id} has no version {version}: its last is {last}",
                    id=str(aggregate_id),
                    last_version=last,
                )
            version = version or last
        try:
            aggregate: Any = self.store.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            raise NotFound(f"no aggregate {aggregate_id}", id=str(aggregate_id)) from None
        first = self.store.recorder.select_events(aggregate_id, limit=1)
        return PastState(aggregate, aggregate_of(first[0].topic) if first else type(aggregate).__name__)
