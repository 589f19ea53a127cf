"""The domain's error tree. Every rule an aggregate enforces fails with one of these.

    DomainError
    ├── NotFound                      an aggregate id that was never created
    ├── PermissionDenied              the actor does not own the aggregate
    ├── Unauthenticated               the caller could not be identified (a failed login)
    ├── Throttled                     too many attempts; ``retry_after`` seconds
    ├── Gone                          the subject was erased: nothing more happens
    ├── InvalidCommand                a command the rules refuse outright
    │   └── TooManyEvents             one save would write more events than allowed
    └── Conflict                      valid alone, but not against the current state
        ├── VersionConflict           the caller expected another aggregate version
        └── ConcurrentWrite           another writer saved the same version first

Each context adds its own errors beneath these (``domain/<context>/errors.py``,
or beside the aggregate that raises them), so the API maps every one of them
by its place in this tree, never by name. Each carries a stable ``code`` and
keyword details the caller may need to resolve it.
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


class Unauthenticated(DomainError):
    code = "unauthorized"


class Throttled(DomainError):
    code = "throttled"


class Gone(DomainError):
    code = "gone"


class InvalidCommand(DomainError):
    code = "invalid_command"


class TooManyEvents(InvalidCommand):
    code = "too_many_events"


class Conflict(DomainError):
    code = "conflict"


class VersionConflict(Conflict):
    """The caller's expected version is stale; ``current_version`` says what is."""

    code = "version_conflict"


class ConcurrentWrite(Conflict):
    code = "concurrent_write"
