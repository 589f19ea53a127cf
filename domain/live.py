"""Use cases of live play (seed 001): characters, sessions and their actions.

A mixin of the one ``Lorekeeper`` application (domain/services.py), so these
events share its notification log; it relies on its ``load``/``_write``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.base import Written
from domain.characters import Character
from domain.errors import PermissionDenied
from domain.sessions import AbilityAction, MoveAction, PlayerSession, parse_action


@dataclass(frozen=True)
class ActionResult:
    """What recording one action did: ``recorded`` is False for a duplicate."""

    recorded: bool
    session: PlayerSession
    character: Character
    position: int | None


class LiveSessionUseCases:
    def create_character(self, owner_id: UUID, display_name: str, x: int = 0, y: int = 0) -> Written:
        character = Character.create(owner_id, display_name, x, y)
        return Written(character, self._write(character))  # type: ignore[attr-defined]

    def get_character(self, character_id: UUID) -> Character:
        return self.load(Character, character_id)  # type: ignore[attr-defined]

    def open_session(self, user_id: UUID, character_id: UUID, protocol_version: str) -> Written:
        """A new session for one of the user's characters, already active (the
        caller has validated the token and the protocol version)."""
        character = self.load(Character, character_id)  # type: ignore[attr-defined]
        if character.owner_id != user_id:
            raise PermissionDenied("this character belongs to another player")
        session = PlayerSession.open(user_id, character_id, protocol_version)
        session.activate()
        return Written(session, self._write(session))  # type: ignore[attr-defined]

    def get_session(self, session_id: UUID) -> PlayerSession:
        return self.load(PlayerSession, session_id)  # type: ignore[attr-defined]

    def change_session(self, session_id: UUID, change: str, reason: str = "") -> Written:
        """``lose_connection``, ``resume`` or ``terminate`` a session."""
        session = self.load(PlayerSession, session_id)  # type: ignore[attr-defined]
        if change == "terminate":
            session.terminate(reason or "logout")
        else:
            getattr(session, change)()
        return Written(session, self._write(session))  # type: ignore[attr-defined]

    def heartbeat(self, session_id: UUID, at: datetime) -> Written:
        session = self.load(PlayerSession, session_id)  # type: ignore[attr-defined]
        session.heartbeat(at)
        return Written(session, self._write(session) if session.pending_events else None)  # type: ignore[attr-defined]

    def record_action(self, session_id: UUID, seq: int, action_type: str, payload: Any) -> ActionResult:
        """Validate, decide and durably record one action (and what it did to the
        character) in one write; a duplicate sequence number records nothing."""
        result = self._decide_action(session_id, seq, action_type, payload)
        if not result.recorded:
            return result
        return replace(result, position=self._write(result.session, result.character))  # type: ignore[attr-defined]

    async def record_action_async(self, session_id: UUID, seq: int, action_type: str, payload: Any) -> ActionResult:
        """``record_action`` on an event loop: the decision runs inline (call it
        when ``cached(session, character)``, so no load reads the database) and
        the write joins the group commit without a thread waiting on it."""
        result = self._decide_action(session_id, seq, action_type, payload)
        if not result.recorded:
            return result
        recordings = await self.save_async(result.session, result.character)  # type: ignore[attr-defined]
        return replace(result, position=recordings[-1].notification.id if recordings else None)

    def _decide_action(self, session_id: UUID, seq: int, action_type: str, payload: Any) -> ActionResult:
        action = parse_action(action_type, payload)
        session = self.load(PlayerSession, session_id)  # type: ignore[attr-defined]
        character = self.load(Character, session.character_id)  # type: ignore[attr-defined]
        if not session.record_action(seq, action):
            return ActionResult(False, session, character, None)
        if isinstance(action, MoveAction):
            character.move_to(action.payload.x, action.payload.y)
        elif isinstance(action, AbilityAction):
            character.use_ability(action.payload.name)
        return ActionResult(True, session, character, None)


def actions_after(app: Any, session_id: UUID, seq: int, last_seq: int, limit: int) -> list[Any] | None:
    """The session's recorded actions numbered (seq, last_seq], oldest first, or
    None when there are more than ``limit`` (the caller sends a snapshot)."""
    if last_seq <= seq:
        return []
    if last_seq - seq > limit:
        return None
    # Actions dominate a session's stream; heartbeats and transitions are few.
    recent = app.events.get(session_id, desc=True, limit=(last_seq - seq) * 2 + 64)
    wanted = [e for e in recent if isinstance(e, PlayerSession.ActionRecorded) and seq < e.sequence_number <= last_seq]
    if len(wanted) != last_seq - seq:
        return None
    return sorted(wanted, key=lambda e: e.sequence_number)
