"""Use cases of accounts: players, their claims (platform links, username and
email) and logins. Each loads, lets the aggregates decide, and saves what they
decided in one atomic write through the kernel's store."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any
from uuid import UUID

from domain.accounts.claims import (
    EMAIL,
    USERNAME,
    PlatformLink,
    check_platform_link,
    clean_email,
    clean_username,
    platform_link_id,
)
from domain.accounts.errors import IdentifierTaken, InvalidCredentials, PlatformIdTaken
from domain.accounts.players import Player
from domain.kernel.clock import now
from domain.kernel.errors import ConcurrentWrite, Conflict, InvalidCommand, NotFound
from domain.kernel.store import Lorekeeper, Written


class AccountUseCases:
    def __init__(self, store: Lorekeeper, settings: Any = None) -> None:
        self.store = store

    # -- players ------------------------------------------------------------------

    def create_player(self, display_name: str | None = None) -> Written:
        player = Player.create(display_name)
        player.mark_seen(now())
        return Written(player, self.store.write(player))

    def get_player(self, player_id: UUID) -> Player:
        return self.store.load(Player, player_id)

    def update_player(
        self,
        player_id: UUID,
        *,
        display_name: str | None = None,
        telemetry_opt_out: bool | None = None,
        expected_version: int | None = None,
        actor_id: UUID | None = None,
    ) -> Written:
        def decide(player: Player) -> None:
            if display_name is not None:
                player.rename(display_name)
            if telemetry_opt_out is not None:
                player.set_telemetry_opt_out(telemetry_opt_out)
            player.mark_seen(now())

        return self.store.command(Player, player_id, decide, expected_version, actor_id)

    # -- claims -------------------------------------------------------------------

    def link_platform(
        self,
        player_id: UUID,
        platform: str,
        platform_user_id: str,
        expected_version: int | None = None,
        actor_id: UUID | None = None,
    ) -> Written:
        platform, platform_user_id = check_platform_link(platform, platform_user_id)
        wanted = [(platform, platform_user_id)]

        def step() -> Written:
            player = self.store.load(Player, player_id, expected_version, actor_id)
            claims = self._claims(player, wanted)
            player.link_platform(platform, platform_user_id)
            if claims:  # something new to claim: the player was seen doing it
                player.mark_seen(now())
            return self._save_claims(player, wanted, claims)

        return self._claiming(player_id, expected_version, step)

    def register_credentials(
        self,
        player_id: UUID,
        username: str,
        email: str,
        password_hash: str,
        expected_version: int | None = None,
        actor_id: UUID | None = None,
    ) -> Written:
        """Upgrade an anonymous player to an account: username and email are
        claimed (one player each) in the same write as the credentials."""
        username, email = clean_username(username), clean_email(email)
        wanted = [(USERNAME, username.lower()), (EMAIL, email)]

        def step() -> Written:
            player = self.store.load(Player, player_id, expected_version, actor_id)
            claims = self._claims(player, wanted)
            player.register_credentials(username, email, password_hash)
            return self._save_claims(player, wanted, claims)

        return self._claiming(player_id, expected_version, step)

    def _claiming(self, player_id: UUID, expected_version: int | None, step: Callable[[], Written]) -> Written:
        """With If-Match a claim is tried once (the caller resolves a race);
        without, it is decided again on fresh state."""
        return step() if expected_version is not None else self.store.change(player_id, step)

    def _claims(self, player: Player, wanted: list[tuple[str, str]]) -> list[PlatformLink]:
        """The claim aggregates to save with ``player``: new, or released and
        reclaimed. A value another player holds raises its kind's conflict."""
        claims = []
        for kind, value in wanted:
            try:
                link = self.store.load(PlatformLink, platform_link_id(kind, value))
            except NotFound:
                claims.append(PlatformLink(platform=kind, platform_user_id=value, player_id=player.id))
                continue
            if link.player_id == player.id:
                continue
            if link.player_id is not None:
                raise _taken(kind, value)
            link.reclaim(player.id)
            claims.append(link)
        return claims

    def _save_claims(self, player: Player, wanted: list[tuple[str, str]], claims: list[PlatformLink]) -> Written:
        try:
            return self.store.written(player, *claims)
        except ConcurrentWrite:
            # Someone claimed a value between our read and our write: say which.
            # Otherwise the player moved on, and the caller decides again.
            for kind, value in wanted:
                with contextlib.suppress(NotFound):
                    holder = self.store.load(PlatformLink, platform_link_id(kind, value)).player_id
                    if holder not in (None, player.id):
                        raise _taken(kind, value) from None
            raise

    def claimant(self, login: str) -> UUID | None:
        """The player holding a username or email, if any."""
        try:
            kind, value = (EMAIL, clean_email(login)) if "@" in login else (USERNAME, clean_username(login).lower())
            return self.store.load(PlatformLink, platform_link_id(kind, value)).player_id
        except (NotFound, InvalidCommand):
            return None

    # -- logins -------------------------------------------------------------------

    def login(
        self,
        login: str,
        password_matches: Callable[[str | None], bool],
    ) -> Written:
        """Check a username-or-email and password. ``password_matches(hash)`` is
        called exactly once, with None for an unknown login, so that every
        refusal costs the caller the same. Failures are recorded."""
        player_id = self.claimant(login)
        if player_id is None:
            password_matches(None)
            raise InvalidCredentials("unknown login or wrong password")
        checked: dict[str, bool] = {}

        def step() -> Written:
            player = self.store.load(Player, player_id)
            at = now()
            player.check_login_allowed(at)
            if "ok" not in checked:  # the password is checked once, however often the write is retried
                checked["ok"] = password_matches(player.password_hash)
            if checked["ok"]:
                player.login_succeeded(at)
            else:
                player.login_failed(at)
            return self.store.written(player)

        written = self.store.change(player_id, step)
        if not checked["ok"]:
            raise InvalidCredentials("unknown login or wrong password")
        return written


def _taken(kind: str, value: str) -> Conflict:
    if kind in (USERNAME, EMAIL):
        return IdentifierTaken(f"that {kind} belongs to another player", field=kind)
    return PlatformIdTaken(f"{kind} id {value!r} is linked to another player", platform=kind)
