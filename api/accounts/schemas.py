"""Request and response bodies of accounts: the HTTP contract, deliberately
separate from the domain events (the storage contract)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field, model_validator

from api.schemas import NAME_RULES, Request


class AnonymousAuth(Request):
    display_name: str | None = Field(None, max_length=64, json_schema_extra=NAME_RULES)


class TokenOut(BaseModel):
    player_id: UUID
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds the access token lives; refresh before then.")
    refresh_token: str = Field(description="One use: /v1/auth/refresh answers with a new pair.")
    refresh_expires_in: int
    position: int | None = None


class CredentialsIn(Request):
    """Upgrade an anonymous player to an account."""

    username: str = Field(min_length=3, max_length=32)
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=10, max_length=256)


class LoginIn(Request):
    login: str = Field(min_length=1, max_length=254, description="Username or email.")
    password: str = Field(min_length=1, max_length=256)


class RefreshIn(Request):
    refresh_token: str = Field(min_length=1, max_length=256)


class PlayerPatch(Request):
    display_name: str | None = Field(None, max_length=64, json_schema_extra=NAME_RULES)
    telemetry_opt_out: bool | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> PlayerPatch:
        if self.display_name is None and self.telemetry_opt_out is None:
            raise ValueError("give display_name, telemetry_opt_out, or both")
        return self


class PlatformLinkIn(Request):
    platform: str = Field(min_length=1, max_length=32)
    platform_user_id: str = Field(min_length=1, max_length=128)


class PlayerOut(BaseModel):
    account_id: UUID
    display_name: str | None
    platform_links: dict[str, str]
    created_at: datetime
    last_seen: datetime | None
    telemetry_opt_out: bool
    save_slot_count: int
    username: str | None = None
    erased_at: datetime | None = None
    version: int
    position: int | None = Field(None, description="Event store position of a command's last event.")
