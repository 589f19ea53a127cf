"""RFC 9457 problem details: every error leaves as ``application/problem+json``
with ``type``, ``title``, ``status``, ``detail`` and a stable ``code``."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import compile_path

from domain.kernel import errors
from infra import idempotency
from infra.auth_sessions import InvalidRefreshToken
from infra.crypto import SubjectErased

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class Problem(StarletteHTTPException):
    """An answer other than success. An ``HTTPException`` so that FastAPI lets
    it through from anywhere, body parsing included."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(status, detail, headers)
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title or code.replace("_", " ").capitalize()
        self.headers: dict[str, str] = dict(headers or {})
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {
            **self.extra,  # first: no extension member replaces one of the problem's own
            "type": f"urn:lorekeeper:problem:{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }

    def response(self) -> Response:
        return problem_response(self.status, self.body(), self.headers)


def problem_response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=PROBLEM_JSON, headers=headers)


# The kernel's error tree -> HTTP status. The most specific class wins (MRO
# order), so every context's errors map by their place in the tree.
DOMAIN_STATUS: dict[type[errors.DomainError], int] = {
    errors.NotFound: 404,
    errors.PermissionDenied: 403,
    errors.Unauthenticated: 401,
    errors.InvalidCommand: 422,
    errors.Throttled: 429,
    errors.Gone: 410,
    errors.VersionConflict: 412,
    errors.Conflict: 409,
    errors.DomainError: 422,
}

# Errors of infrastructure adapters a request can meet, as problems.
ADAPTER_PROBLEMS: dict[type[Exception], tuple[int, str, dict[str, str]]] = {
    SubjectErased: (410, "player_erased", {}),
    InvalidRefreshToken: (401, "invalid_refresh_token", {"WWW-Authenticate": "Bearer"}),
    idempotency.InvalidKey: (400, "invalid_idempotency_key", {}),
    idempotency.KeyReused: (422, "idempotency_key_reused", {}),
    idempotency.KeyInProgress: (409, "idempotency_key_in_progress", {"Retry-After": "1"}),
}


# A problem's own members (RFC 9457) and Problem's keywords: a domain error's
# detail of one of these names is answered as ``domain_<name>``.
PROBLEM_MEMBERS = frozenset({"type", "title", "status", "detail", "code", "instance", "headers"})


def from_domain(error: errors.DomainError) -> Problem:
    status = next(DOMAIN_STATUS[c] for c in type(error).__mro__ if c in DOMAIN_STATUS)
    headers = {"Retry-After": str(error.details["retry_after"])} if "retry_after" in error.details else None
    details = {f"domain_{k}" if k in PROBLEM_MEMBERS else k: v for k, v in error.details.items()}
    return Problem(status, error.code, error.message, headers=headers, **details)


def _validation_problem(exc: RequestValidationError) -> Problem:
    issues = exc.errors()
    if any(i.get("type") == "json_invalid" for i in issues):
        return Problem(400, "malformed_json", "the request body is not valid JSON")
    return Problem(
        422,
        "validation_failed",
        "the request does not match the schema",
        errors=[{"loc": list(i.get("loc", ())), "msg": i.get("msg", ""), "type": i.get("type", "")} for i in issues],
    )


async def _adapter_problem(_: Request, exc: Exception) -> Response:
    status, code, headers = next(v for t, v in ADAPTER_PROBLEMS.items() if isinstance(exc, t))
    detail = str(exc) if not isinstance(exc, SubjectErased) else "this player was erased"
    return Problem(status, code, detail, headers=dict(headers)).response()


def allowed_methods(app: FastAPI, path: str) -> set[str]:
    """The methods some route serves at ``path``."""
    methods: set[str] = set()
    for context in iter_route_contexts(app.routes):
        if context.path_format and context.methods and compile_path(context.path_format)[0].match(path):
            methods |= context.methods
    return methods


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> Response:
        return exc.response()

    @app.exception_handler(errors.DomainError)
    async def _domain(_: Request, exc: errors.DomainError) -> Response:
        return from_domain(exc).response()

    for exception_type in ADAPTER_PROBLEMS:
        app.add_exception_handler(exception_type, _adapter_problem)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> Response:
        return _validation_problem(exc).response()

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # every method of the path, not only those of the route that matched first
            headers["Allow"] = ", ".join(sorted(allowed_methods(request.app, request.url.path)))
        return Problem(exc.status_code, code, str(exc.detail), headers=headers).response()

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> Response:
        log.exception("unhandled error")
        return Problem(500, "internal_error", "an unexpected error occurred").response()
