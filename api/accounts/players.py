"""A player's profile: reading it, changing it, linking platforms, upgrading to an account."""

from __future__ import annotations

from uuid import UUID

from starlette.responses import Response

from api import routing
from api.accounts.deps import Accounts, PasswordHasher
from api.accounts.schemas import CredentialsIn, PlatformLinkIn, PlayerOut, PlayerPatch
from api.deps import CommandDep, CurrentPrincipal, IfMatch, ReadDb, ReadYourWrites
from api.problems import Problem
from api.responses import read_one, stored
from domain.accounts import Player
from infra.idempotency import Stored
from projections.accounts.players import PLAYERS

router = routing.router(prefix="/v1/players", tags=["players"])


def player_out(player: Player, position: int | None) -> PlayerOut:
    return PlayerOut.model_construct(  # values come from the aggregate: no re-validation
        account_id=player.id,
        display_name=player.display_name,
        platform_links=player.platform_links,
        created_at=player.created_on,
        last_seen=player.last_seen,
        telemetry_opt_out=player.telemetry_opt_out,
        save_slot_count=len(player.save_slot_ids),
        username=player.username,
        erased_at=player.erased_at,
        version=player.version,
        position=position,
    )


@router.get("/{player_id}", response_model=PlayerOut, dependencies=[ReadYourWrites])
def get_player(player_id: UUID, principal: CurrentPrincipal, db: ReadDb) -> Response:
    """A player's profile from the players read model."""
    if not principal.can_read(player_id):  # before the lookup: don't reveal which ids exist
        raise Problem(403, "forbidden", "you may only read your own player")
    return read_one(db, principal, PLAYERS, key="account_id", value=player_id, model=PlayerOut, noun="player")


@router.patch("/{player_id}", response_model=PlayerOut)
def patch_player(
    player_id: UUID, body: PlayerPatch, cmd: CommandDep, accounts: Accounts, if_match: IfMatch
) -> Response:
    """Change the display name and/or the telemetry opt-out."""

    def command() -> Stored:
        written = accounts.update_player(
            player_id,
            display_name=body.display_name,
            telemetry_opt_out=body.telemetry_opt_out,
            expected_version=if_match,
            actor_id=cmd.principal.actor(),
        )
        return stored(200, player_out(written.aggregate, written.position), version=written.aggregate.version)

    return cmd.run({"player": str(player_id), "body": body.model_dump(), "if_match": if_match}, command)


@router.post("/{player_id}/links", status_code=201, response_model=PlayerOut)
def link_platform(
    player_id: UUID, body: PlatformLinkIn, cmd: CommandDep, accounts: Accounts, if_match: IfMatch
) -> Response:
    """Link a platform identity; one that another player holds is a 409."""

    def command() -> Stored:
        written = accounts.link_platform(
            player_id, body.platform, body.platform_user_id, expected_version=if_match, actor_id=cmd.principal.actor()
        )
        return stored(201, player_out(written.aggregate, written.position), version=written.aggregate.version)

    return cmd.run({"player": str(player_id), "body": body.model_dump(), "if_match": if_match}, command)


@router.post("/{player_id}/credentials", status_code=201, response_model=PlayerOut)
def register_credentials(
    player_id: UUID,
    body: CredentialsIn,
    cmd: CommandDep,
    accounts: Accounts,
    passwords: PasswordHasher,
    if_match: IfMatch,
) -> Response:
    """Upgrade an anonymous player to an account: username, email and a password
    (stored as an argon2id hash). A username or email another player holds is a 409."""
    if cmd.principal.actor() not in (None, player_id):  # before hashing: argon2id costs tens of ms
        raise Problem(403, "forbidden", "you may only upgrade your own player")

    def command() -> Stored:
        # Hashed inside the command: an idempotent replay needs no hash.
        written = accounts.register_credentials(
            player_id,
            body.username,
            body.email,
            passwords.hash(body.password),
            expected_version=if_match,
            actor_id=cmd.principal.actor(),
        )
        return stored(201, player_out(written.aggregate, written.position), version=written.aggregate.version)

    # The request key leaves the password out: it never reaches the idempotency table.
    request_key = {"player": str(player_id), "username": body.username, "email": body.email, "if_match": if_match}
    return cmd.run(request_key, command)
