"""Pydantic-based aggregates and events on top of eventsourcing's BaseAggregate.

Events are frozen pydantic models (``extra="forbid"``) so that they validate
on the way in and serialise to plain JSON on the way out. Every concrete
aggregate and event declares an explicit ``TOPIC``: that stable name, not the
Python module path, is what the event store records, so classes can move
between modules without breaking stored history.
"""

from __future__ import annotations

from copy import copy, deepcopy
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, ClassVar
from uuid import UUID, uuid4

from eventsourcing.domain import (
    BaseAggregate,
    CanInitAggregate,
    CanMutateAggregate,
    CanSnapshotAggregate,
)
from eventsourcing.utils import get_topic, register_topic, resolve_topic
from pydantic import BaseModel, ConfigDict, TypeAdapter

_set = object.__setattr__
_IMMUTABLE = (str, int, float, bool, type(None), UUID, datetime, frozenset, tuple)
_EMPTY = (list, dict, set)


@dataclass(frozen=True)
class Personal:
    """Which fields of a stored event hold personal data, and whose they are.

    Infrastructure seals these fields with the subject's own key (crypto-
    shredding); ``erased`` is what each field reads as once that key is gone.
    ``within`` names a nested object holding the fields (a snapshot's state).
    """

    subject: UUID
    erased: dict[str, Any]
    within: str | None = None


ERASED = "[erased]"


class DomainEvent(BaseModel):
    """Common envelope of every stored event."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Personal-data fields (all strings) and the field naming their subject.
    PERSONAL: ClassVar[tuple[str, ...]] = ()
    PERSONAL_SUBJECT: ClassVar[str] = "originator_id"

    originator_id: UUID
    originator_version: int
    timestamp: datetime

    def personal(self) -> Personal | None:
        if not self.PERSONAL:
            return None
        return Personal(getattr(self, self.PERSONAL_SUBJECT), dict.fromkeys(self.PERSONAL, ERASED))


class Aggregate(BaseAggregate[UUID]):
    """Base aggregate: random UUID ids, pydantic events."""

    # Attributes whose snapshot JSON needs converting back to a Python type.
    snapshot_types: ClassVar[dict[str, Any]] = {}
    # Attributes holding personal data (sealed in snapshots), and their erased value.
    personal_state: ClassVar[dict[str, Any]] = {}
    # Attributes added after snapshots of the aggregate were taken, and their
    # initial value: a snapshot that lacks one restores a copy of it.
    added_state: ClassVar[dict[str, Any]] = {}

    @staticmethod
    def create_id(*_: Any, **__: Any) -> UUID:
        return uuid4()

    class Event(DomainEvent, CanMutateAggregate[UUID]):
        pass

    class Created(Event, CanInitAggregate[UUID]):
        originator_topic: str

    @property
    def owner_id(self) -> UUID | None:
        """The player this aggregate belongs to, if any (ownership checks)."""
        return None

    # Attributes an aggregate only ever replaces whole (never changes in place),
    # so that a copy may share them; and containers whose items are only ever
    # replaced, inserted or deleted, so that a copy needs a new container and
    # not new items (a book of 100,000 orders is copied at C speed).
    SHARED: ClassVar[frozenset[str]] = frozenset()
    SHALLOW: ClassVar[frozenset[str]] = frozenset()

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        # The repository deep-copies every cached aggregate before a command
        # mutates it; copying immutable values by reference halves that cost.
        # Empty containers (no pending events, an empty inventory) are recreated.
        cls = type(self)
        clone = object.__new__(cls)
        clone.__dict__.update(
            {
                k: v
                if isinstance(v, _IMMUTABLE) or k in cls.SHARED
                else copy(v)
                if k in cls.SHALLOW
                else type(v)()
                if type(v) in _EMPTY and not v
                else deepcopy(v, memo)
                for k, v in vars(self).items()
            }
        )
        return clone

    def trigger_trusted(self, event_class: type[Aggregate.Event], **fields: Any) -> None:
        """``trigger_event`` for a hot path whose values already have their
        fields' types (checked by the command, or taken from the aggregate's
        own state): the event is built without pydantic's validation, which
        is most of an event's cost (0.9 µs here against 3-4 µs; pydantic's
        own ``model_construct`` is no faster than validating), and applied
        without ``mutate``'s checks of the id and version it was just given.
        Every field is given but ``timestamp`` (the events of one command may
        share theirs); the property tests validate every event an aggregate
        records (``tests/property/support.py``), which is where a wrong type
        or name shows."""
        version = self._version + 1
        fields["originator_id"] = self._id
        fields["originator_version"] = version
        if "timestamp" not in fields:
            fields["timestamp"] = event_class.create_timestamp()
        names = _field_names(event_class)
        if len(fields) != len(names):
            raise TypeError(f"{event_class.__name__} needs {sorted(names)}, not {sorted(fields)}")
        event = object.__new__(event_class)  # what model_construct leaves, without its per-field walk
        _set(event, "__dict__", fields)
        _set(event, "__pydantic_fields_set__", names)  # shared: pydantic copies it before any change
        _set(event, "__pydantic_extra__", None)
        _set(event, "__pydantic_private__", None)
        event.apply(self)
        self._version = version
        self._modified_on = fields["timestamp"]
        self._pending_events.append(event)

    def collect_events(self) -> list[Any]:
        """The pending events, oldest first; none left pending. (eventsourcing's
        own pops them one by one from the front: quadratic in their number,
        a microsecond an order for a book's thousand-order batch.)"""
        collected, self._pending_events = self._pending_events, []
        return collected

    @staticmethod
    def upcast_state(state: dict[str, Any]) -> dict[str, Any]:
        """A snapshot's state as this code keeps it: aggregates whose state
        changed shape override this to bring older snapshots up to date
        (``added_state`` covers attributes that are merely new), and those
        that store it packed (``pack_state``) to unpack it."""
        return state

    @staticmethod
    def pack_state(state: dict[str, Any]) -> dict[str, Any]:
        """A snapshot's state as stored: an aggregate whose state decodes
        faster in another shape packs it here (and unpacks it in ``upcast_state``)."""
        return state

    def erase_personal(self) -> None:
        """Forget the personal data this aggregate holds: its player was erased.
        Aggregates with ``personal_state`` override this with an event of their own."""

    def state(self) -> dict[str, Any]:
        """The aggregate's domain state, without the eventsourcing bookkeeping."""
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}


@cache
def _field_names(event_class: type[DomainEvent]) -> set[str]:
    return set(event_class.__pydantic_fields__)


_BASE_SNAPSHOT_TYPES: dict[str, Any] = {"_created_on": datetime, "_modified_on": datetime}


class Snapshot(DomainEvent, CanSnapshotAggregate[UUID]):
    """The state of an aggregate at a version, stored as JSON."""

    TOPIC: ClassVar[str] = "lorekeeper.snapshot"

    topic: str
    state: dict[str, Any]
    subject: UUID | None = None  # whose personal data the state holds, if any

    @classmethod
    def take(cls, aggregate: Any) -> Snapshot:
        state = {k: v for k, v in vars(aggregate).items() if k not in ("_id", "_version", "_pending_events")}
        state = type(aggregate).pack_state(state)
        return cls(
            originator_id=aggregate.id,
            originator_version=aggregate.version,
            timestamp=cls.create_timestamp(),
            topic=get_topic(type(aggregate)),
            state=state,
            subject=aggregate.owner_id if type(aggregate).personal_state else None,
        )

    def personal(self) -> Personal | None:
        erased = getattr(resolve_topic(self.topic), "personal_state", {})
        # Once erased, an aggregate holds no personal values: nothing to seal.
        if self.subject is None or all(self.state.get(name) in (None, value) for name, value in erased.items()):
            return None
        return Personal(self.subject, dict(erased), within="state")

    def mutate(self, _: None) -> Any:
        cls = resolve_topic(self.topic)
        types = {**_BASE_SNAPSHOT_TYPES, **getattr(cls, "snapshot_types", {})}
        state = {**deepcopy(getattr(cls, "added_state", {})), **cls.upcast_state(dict(self.state))}
        for name, annotation in types.items():
            if name in state:
                state[name] = _adapter(annotation).validate_python(state[name])
        state["_id"] = self.originator_id
        state["_version"] = self.originator_version
        state["_pending_events"] = []
        aggregate = object.__new__(cls)
        object.__setattr__(aggregate, "__dict__", state)
        return aggregate


_adapters: dict[Any, TypeAdapter[Any]] = {}


def _adapter(annotation: Any) -> TypeAdapter[Any]:
    try:
        return _adapters[annotation]
    except KeyError:
        adapter = _adapters[annotation] = TypeAdapter(annotation)
        return adapter


def event_classes(aggregate_cls: type[Aggregate]) -> list[type[DomainEvent]]:
    """The concrete event classes an aggregate declares, in declaration order."""
    return [
        value
        for name, value in vars(aggregate_cls).items()
        if isinstance(value, type) and issubclass(value, DomainEvent) and name != "Event"
    ]


register_topic(Snapshot.TOPIC, Snapshot)
