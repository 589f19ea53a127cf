"""Use cases of live play (seed 001): characters, sessions and their actions."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from domain.kernel.errors import PermissionDenied
from domain.kernel.store import Lorekeeper, Written
from domain.live.actions import AbilityAction, MoveAction, parse_action
from domain.live.characters import Character
from domain.live.sessions import PlayerSession, Status

SESSION_CHANGES = ("resume", "terminate")


@dataclass(frozen=True)
class ActionResult:
    """What recording one action did: ``recorded`` is False for a duplicate."""

    recorded: bool
    session: PlayerSession
    character: Character
    position: int | None


class LiveUseCases:
    def __init__(self, store: Lorekeeper, settings: Any = None) -> None:
        self.store = store
        self.reconnect_window = timedelta(seconds=getattr(settings, "reconnect_window_seconds", 120))

    def create_character(self, owner_id: UUID, display_name: str, x: int = 0, y: int = 0) -> Written:
        """A character for the player, recorded in its holdings in the same write."""

        def step() -> Written:
            character = Character.create(owner_id, display_name, x, y)
            holdings = self.store.holdings(owner_id)
            holdings.acquire(character)
            return Written(character, self.store.write(character, holdings))

        return self.store.change(owner_id, step)

    def get_character(self, character_id: UUID) -> Character:
        return self.store.load(Character, character_id)

    def open_session(self, user_id: UUID, character_id: UUID, protocol_version: str) -> Written:
        """A new session for one of the user's characters, already active (the
        caller has validated the token and the protocol version)."""
        character = self.store.load(Character, character_id)
        if character.owner_id != user_id:
            raise PermissionDenied("this character belongs to another player")
        session = PlayerSession.open(user_id, character_id, protocol_version)
        session.activate()
        return Written(session, self.store.write(session))

    def get_session(self, session_id: UUID) -> PlayerSession:
        return self.store.load(PlayerSession, session_id)

    def lose_connection(self, session_id: UUID, connection: int | None = None) -> Written:
        """The transport of ``connection`` dropped: active -> reconnecting, unless
        the session has moved past that connection already (records nothing)."""
        return self.store.command(PlayerSession, session_id, lambda s: s.lose_connection(connection))

    def take_over(self, session_id: UUID) -> Written:
        """A reconnect resumes the session (see ``PlayerSession.take_over``)."""
        return self.store.command(PlayerSession, session_id, lambda s: s.take_over())

    def expire(self, session_id: UUID, due: datetime) -> Written:
        """The reconnect window that ends at ``due`` has passed: a session still
        reconnecting since then ends. (A timer fires this; a session that resumed,
        or lost a later connection, is left alone; firing again changes nothing.)"""

        def decide(session: PlayerSession) -> None:
            since = session.status_since
            if session.status == Status.RECONNECTING and (since is None or since + self.reconnect_window <= due):
                session.terminate("timeout")

        return self.store.command(PlayerSession, session_id, decide)

    def change_session(self, session_id: UUID, change: str, reason: str = "") -> Written:
        """``resume`` or ``terminate`` a session."""
        if change not in SESSION_CHANGES:
            raise ValueError(f"unknown session change {change!r}")

        def decide(session: PlayerSession) -> None:
            if change == "terminate":
                session.terminate(reason or "logout")
            else:
                getattr(session, change)()

        return self.store.command(PlayerSession, session_id, decide)

    def heartbeat(self, session_id: UUID, at: datetime) -> Written:
        return self.store.command(PlayerSession, session_id, lambda s: s.heartbeat(at))

    def record_action(self, session_id: UUID, seq: int, action_type: str, payload: Any) -> ActionResult:
        """Validate, decide and durably record one action (and what it did to the
        character) in one write; a duplicate sequence number records nothing."""
        result = self._decide_action(session_id, seq, action_type, payload)
        if not result.recorded:
            return result
        return replace(result, position=self.store.write(result.session, result.character))

    async def record_action_async(self, session_id: UUID, seq: int, action_type: str, payload: Any) -> ActionResult:
        """``record_action`` on an event loop: the decision runs inline (call it
        when ``cached(session, character)``, so no load reads the database) and
        the write joins the group commit without a thread waiting on it."""
        result = self._decide_action(session_id, seq, action_type, payload)
        if not result.recorded:
            return result
        recordings = await self.store.save_async(result.session, result.character)
        return replace(result, position=recordings[-1].notification.id if recordings else None)

    def _decide_action(self, session_id: UUID, seq: int, action_type: str, payload: Any) -> ActionResult:
        action = parse_action(action_type, payload)
        session = self.store.load(PlayerSession, session_id)
        character = self.store.load(Character, session.character_id)
        if not session.record_action(seq, action):
            return ActionResult(False, session, character, None)
        if isinstance(action, MoveAction):
            character.move_to(action.payload.x, action.payload.y)
        elif isinstance(action, AbilityAction):
            character.use_ability(action.payload.name)
        return ActionResult(True, session, character, None)

    def actions_after(self, session_id: UUID, seq: int, last_seq: int, limit: int) -> list[Any] | None:
        """The session's recorded actions numbered (seq, last_seq], oldest first, or
        None when there are more than ``limit`` (the caller sends a snapshot)."""
        if last_seq <= seq:
            return []
        if last_seq - seq > limit:
            return None
        # Actions dominate a session's stream; heartbeats and transitions are few.
        recent = self.store.events.get(session_id, desc=True, limit=(last_seq - seq) * 2 + 64)
        wanted = [
            e for e in recent if isinstance(e, PlayerSession.ActionRecorded) and seq < e.sequence_number <= last_seq
        ]
        if len(wanted) != last_seq - seq:
            return None
        return sorted(wanted, key=lambda e: e.sequence_number)

    def cached(self, *aggregate_ids: UUID) -> bool:
        """True if deciding on these aggregates needs no database read (see record_action_async)."""
        return self.store.cached(*aggregate_ids)
