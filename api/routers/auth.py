from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request
from starlette.responses import Response

from api.deps import ContainerDep, IdempotencyKey
from api.idempotency import Stored
from api.responses import to_response
from api.schemas import AnonymousAuth, TokenOut

router = APIRouter(prefix="/v1/auth", tags=["auth"])


@router.post("/anonymous", status_code=201, response_model=TokenOut)
def anonymous(
    request: Request,
    container: ContainerDep,
    idempotency_key: IdempotencyKey = None,
    body: Annotated[AnonymousAuth | None, Body()] = None,
) -> Response:
    """Create an anonymous player and return a bearer token for it."""
    body = body or AnonymousAuth()
    tokens = request.app.state.tokens

    def command() -> Stored:
        written = container.app.create_player(body.display_name)
        out = TokenOut(
            player_id=written.aggregate.id,
            access_token=tokens.issue(written.aggregate.id),
            expires_in=tokens.ttl_seconds,
            position=written.position,
        )
        return Stored(201, out.model_dump_json().encode(), {"content-type": "application/json"})

    scope = f"anonymous:{request.client.host if request.client else ''}"
    return to_response(request.app.state.idempotency.run(scope, idempotency_key, body.model_dump(), command))
