"""What the accounts routes use, wired by the composition root."""

from __future__ import annotations

from typing import Annotated

from api.auth import TokenService
from api.deps import wired
from domain.accounts import AccountUseCases, Erasure
from infra.auth_sessions import AuthSessions, Passwords
from infra.privacy import PlayerData

Accounts = Annotated[AccountUseCases, wired(AccountUseCases)]
Erasures = Annotated[Erasure, wired(Erasure)]
Sessions = Annotated[AuthSessions, wired(AuthSessions)]
PasswordHasher = Annotated[Passwords, wired(Passwords)]
Tokens = Annotated[TokenService, wired(TokenService)]
Exports = Annotated[PlayerData, wired(PlayerData)]
