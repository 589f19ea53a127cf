"""The domain's error tree. Every rule an aggregate enforces fails with one of these.

    DomainError
    ├── NotFound                      an aggregate id that was never created
    ├── PermissionDenied              the actor does not own the aggregate
    ├── InvalidCommand                a command the rules refuse outright
    │   ├── InvalidDisplayName
    │   ├── InvalidPlatformLink
    │   ├── TooManyEvents             one save would write more events than allowed
    │   └── InvalidCredentials        unknown login or wrong password (never says which)
    ├── AccountLocked                 too many failed logins; ``retry_after`` seconds
    ├── PlayerErased                  the player was erased (GDPR): nothing more happens
    └── Conflict                      valid alone, but not against the current state
        ├── VersionConflict           the caller expected another aggregate version
        ├── ConcurrentWrite           another writer saved the same version first
        ├── PlatformIdTaken           the platform id is linked to another player
        ├── IdentifierTaken           the username or email belongs to another player
        ├── CredentialsExist          the player already has a username and password
        └── SaveSlotLimitReached      the player already has the most slots allowed

Each error carries a stable ``code`` so that the API can map it without
string matching, and keyword details the caller may need to resolve it.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every rule violation raised by the domain."""

    code = "domain_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    code = "not_found"


class PermissionDenied(DomainError):
    code = "forbidden"


class InvalidCommand(DomainError):
    code = "invalid_command"


class InvalidDisplayName(InvalidCommand):
    code = "invalid_display_name"


class InvalidPlatformLink(InvalidCommand):
    code = "invalid_platform_link"


class TooManyEvents(InvalidCommand):
    code = "too_many_events"


class Conflict(DomainError):
    code = "conflict"


class VersionConflict(Conflict):
    """The caller's expected version is stale; ``current_version`` says what is."""

    code = "version_conflict"


class ConcurrentWrite(Conflict):
    code = "concurrent_write"


class PlatformIdTaken(Conflict):
    code = "platform_link_taken"


class SaveSlotLimitReached(Conflict):
    code = "save_slot_limit_reached"


class InvalidCredentials(InvalidCommand):
    code = "invalid_credentials"


class AccountLocked(DomainError):
    code = "account_locked"


class PlayerErased(DomainError):
    code = "player_erased"


class IdentifierTaken(Conflict):
    code = "identifier_taken"


class CredentialsExist(Conflict):
    code = "credentials_exist"
