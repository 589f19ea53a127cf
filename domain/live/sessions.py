"""Live sessions (seed 001): a PlayerSession moves through
connecting -> active <-> reconnecting -> terminating, and records each client
action under a per-session sequence number, in order, exactly once.

The session decides whether an action is the next one (accept), one it has
already accepted (duplicate: acknowledge again, record nothing), or one after
a gap (the client must resync from the last acknowledged number).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID, uuid4

from domain.kernel.aggregate import ERASED, Aggregate, Personal
from domain.kernel.errors import Conflict
from domain.live.actions import Action


class Status(StrEnum):
    CONNECTING = "connecting"
    ACTIVE = "active"
    RECONNECTING = "reconnecting"
    TERMINATING = "terminating"


TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.CONNECTING: frozenset({Status.ACTIVE, Status.TERMINATING}),
    Status.ACTIVE: frozenset({Status.RECONNECTING, Status.TERMINATING}),
    Status.RECONNECTING: frozenset({Status.ACTIVE, Status.TERMINATING}),
    Status.TERMINATING: frozenset(),
}


class IllegalTransition(Conflict):
    code = "illegal_session_transition"


class SessionNotActive(Conflict):
    code = "session_not_active"


class SequenceGap(Conflict):
    """The client skipped numbers: it must resync from ``last_action_seq``."""

    code = "sequence_gap"


class PlayerSession(Aggregate):
    TOPIC = "lorekeeper.player_session"
    snapshot_types: ClassVar[dict[str, object]] = {
        "user": UUID,
        "character_id": UUID,
        "status": Status,
        "last_heartbeat_at": datetime | None,
        "status_since": datetime | None,
    }
    # When the status last changed (None in snapshots taken before it was recorded).
    status_since: datetime | None = None

    class Created(Aggregate.Created):
        """The session opened (status connecting)."""

        TOPIC: ClassVar[str] = "lorekeeper.player_session.Created"
        user_id: UUID
        character_id: UUID
        protocol_version: str

    class StatusChanged(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.player_session.StatusChanged"
        status: Status
        reason: str

        def apply(self, session: PlayerSession) -> None:
            if self.status == Status.ACTIVE and session.status == Status.RECONNECTING:
                session.reconnect_attempts += 1
            session.status = self.status
            session.status_since = self.timestamp

    class ActionRecorded(Aggregate.Event):
        """An ActionEvent (seed 001): durable before the client's ack."""

        TOPIC: ClassVar[str] = "lorekeeper.player_session.ActionRecorded"
        action_id: UUID
        user_id: UUID
        character_id: UUID
        sequence_number: int
        action_type: str
        payload: dict[str, Any]

        def personal(self) -> Personal | None:
            """Chat is what a person wrote: its payload is sealed under the
            player's key (moves, abilities and system actions are game data)."""
            if self.action_type != "chat":
                return None
            return Personal(self.user_id, {"payload": {"text": ERASED}})

        def apply(self, session: PlayerSession) -> None:
            session.last_action_seq = self.sequence_number

    class HeartbeatRecorded(Aggregate.Event):
        TOPIC: ClassVar[str] = "lorekeeper.player_session.HeartbeatRecorded"
        at: datetime

        def apply(self, session: PlayerSession) -> None:
            session.last_heartbeat_at = self.at

    def __init__(self, user_id: UUID, character_id: UUID, protocol_version: str) -> None:
        self.user = user_id
        self.character_id = character_id
        self.protocol_version = protocol_version
        self.status = Status.CONNECTING
        self.last_action_seq = 0
        self.last_heartbeat_at: datetime | None = None
        self.reconnect_attempts = 0

    @property
    def owner_id(self) -> UUID:
        return self.user

    @property
    def connection(self) -> int:
        """Which connection of the session this is: 1 when it first became
        active, one more for each resume. A socket remembers its number, so the
        loss of a connection the session has already moved past changes nothing."""
        return self.reconnect_attempts + 1

    @classmethod
    def open(cls, user_id: UUID, character_id: UUID, protocol_version: str) -> PlayerSession:
        return cls(user_id=user_id, character_id=character_id, protocol_version=protocol_version)

    def _move(self, status: Status, reason: str) -> None:
        if status not in TRANSITIONS[self.status]:
            raise IllegalTransition(
                f"a session cannot go from {self.status.value} to {status.value}",
                status=self.status.value,
            )
        self.trigger_event(self.StatusChanged, status=status, reason=reason)

    def activate(self) -> None:
        """connecting -> active (token validated, protocol version matched)."""
        self._move(Status.ACTIVE, "version_lock_passed")

    def lose_connection(self, connection: int | None = None) -> None:
        """active -> reconnecting (transport lost). Given the lost socket's
        ``connection``, a loss the session has already moved past (a newer
        connection resumed it, or it ended) records nothing."""
        if connection is not None and (self.status != Status.ACTIVE or connection != self.connection):
            return
        self._move(Status.RECONNECTING, "connection_lost")

    def resume(self) -> None:
        """reconnecting -> active (delta or snapshot sync done)."""
        self._move(Status.ACTIVE, "resynced")

    def take_over(self) -> None:
        """A new connection resumes the session: from reconnecting, or from
        active when the old connection's loss was not noticed yet (its loss is
        then recorded first, in the same write)."""
        if self.status == Status.ACTIVE:
            self._move(Status.RECONNECTING, "connection_replaced")
        self.resume()

    def terminate(self, reason: str) -> None:
        """active/reconnecting/connecting -> terminating (logout or timeout)."""
        self._move(Status.TERMINATING, reason)

    def accepts(self, seq: int) -> bool:
        """True if ``seq`` is the next action; False if already recorded; SequenceGap otherwise."""
        if self.status != Status.ACTIVE:
            raise SessionNotActive(f"the session is {self.status.value}", status=self.status.value)
        if seq <= self.last_action_seq:
            return False
        if seq != self.last_action_seq + 1:
            raise SequenceGap(
                f"expected action {self.last_action_seq + 1}, got {seq}", last_action_seq=self.last_action_seq
            )
        return True

    def record_action(self, seq: int, action: Action) -> bool:
        """Record the action if it is the next one; False for a duplicate."""
        if not self.accepts(seq):
            return False
        self.trigger_event(
            self.ActionRecorded,
            action_id=uuid4(),
            user_id=self.user,
            character_id=self.character_id,
            sequence_number=seq,
            action_type=action.type,
            payload=action.payload.model_dump(mode="json"),
        )
        return True

    def heartbeat(self, at: datetime, resolution_seconds: float = 30.0) -> None:
        """Record liveness, at most once per ``resolution_seconds``."""
        if self.last_heartbeat_at is None or (at - self.last_heartbeat_at).total_seconds() >= resolution_seconds:
            self.trigger_event(self.HeartbeatRecorded, at=at)
