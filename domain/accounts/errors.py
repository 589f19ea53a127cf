"""Errors of the accounts context, placed in the kernel's tree (domain/kernel/errors.py).

InvalidCommand ── InvalidPlatformLink
Unauthenticated ── InvalidCredentials   unknown login or wrong password (never says which)
Throttled ── AccountLocked              too many failed logins; ``retry_after`` seconds
Gone ── PlayerErased                    the player was erased (GDPR): nothing more happens
Conflict ── PlatformIdTaken             the platform id is linked to another player
         ── IdentifierTaken             the username or email belongs to another player
         ── CredentialsExist            the player already has a username and password
         ── SaveSlotLimitReached        the player already has the most slots allowed
"""

from __future__ import annotations

from domain.kernel.errors import Conflict, Gone, InvalidCommand, Throttled, Unauthenticated


class InvalidPlatformLink(InvalidCommand):
    code = "invalid_platform_link"


class InvalidCredentials(Unauthenticated):
    code = "invalid_credentials"


class AccountLocked(Throttled):
    code = "account_locked"


class PlayerErased(Gone):
    code = "player_erased"


class PlatformIdTaken(Conflict):
    code = "platform_link_taken"


class IdentifierTaken(Conflict):
    code = "identifier_taken"


class CredentialsExist(Conflict):
    code = "credentials_exist"


class SaveSlotLimitReached(Conflict):
    code = "save_slot_limit_reached"
