"""The OpenAPI document, made to tell the truth about every answer.

FastAPI documents a route's success answer and a 422 in ``application/json``.
The server answers more than that, always as ``application/problem+json``
(api/problems.py). ``describe`` adds, to every operation, the problem answers
it can give, derived from what the route declares (so a new context's routes
are described for free):

- a JSON body: 400 ``malformed_json``, 413 ``payload_too_large``, 422;
- any parameter: 422;
- a bearer token (``CurrentPrincipal``): 401, 403, 410 (an erased player);
- a path parameter naming something: 404;
- a command (``CommandDep``): 400 (``invalid_idempotency_key``), 409, 422, 429;
- ``If-Match``: 400, 412, 428;
- ``min_position`` (``ReadYourWrites``): 422 (beyond the head), 503;
- an address rate limit: 429;
- always: 500 ``internal_error``;

plus whatever a route lists in ``responses=``. It also states the rules the
edge enforces on every value (api/wire.py): integers within 64 bits, text
without U+0000 or lone surrogates, and free-form JSON made of those.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from api.problems import PROBLEM_JSON
from domain.kernel.values import INT64_MAX, INT64_MIN

TEXT = r"^[^\x00]*$"  # no U+0000 (lone surrogates are refused too: JSON text is Unicode)

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `code` is stable (docs/api.md lists them).",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
    },
    "additionalProperties": True,
}
JSON_VALUE_SCHEMA: dict[str, Any] = {
    "title": "JsonValue",
    "description": "Any JSON value the server keeps: integers within 64 bits, text without U+0000, "
    f"at most {64} levels deep.",
    "anyOf": [
        {"type": "string", "pattern": TEXT},
        {"type": "integer", "minimum": INT64_MIN, "maximum": INT64_MAX},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "null"},
        {"type": "array", "items": {"$ref": "#/components/schemas/JsonValue"}},
        {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/JsonValue"}},
    ],
}
TITLES = {
    400: "Malformed request (`malformed_json`, `invalid_if_match`, `invalid_idempotency_key`, ...)",
    401: "No valid bearer token (`unauthorized`)",
    403: "Not this caller's (`forbidden`)",
    404: "Not found (`not_found`)",
    409: "Conflict (`version_conflict`, `concurrent_write`, `identifier_taken`, ...)",
    410: "The player was erased (`player_erased`)",
    412: "If-Match does not match (`version_conflict`)",
    413: "Body too large (`payload_too_large`)",
    422: "Refused input (`validation_failed`, `invalid_value`, or a rule of the domain)",
    428: "If-Match required (`precondition_required`)",
    429: "Slow down (`rate_limited`, `login_throttled`, `storage_budget_exhausted`); see Retry-After",
    500: "Unexpected (`internal_error`)",
    503: "Not ready (`projection_lagging`, `telemetry_unavailable`); see Retry-After",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for problem answers a route gives beyond what its
    declarations imply (a 401 from a login, a 428 for a missing If-Match)."""
    return {status: {"description": TITLES.get(status, "Problem")} for status in statuses}


def describe(app: FastAPI) -> None:
    """Replace ``app.openapi`` with the truthful document (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                routes=app.routes,
                description=app.description,
            )
            routes = {
                (context.path_format, method.lower()): context
                for context in iter_route_contexts(app.routes)
                if isinstance(context.original_route, APIRoute)
                for method in context.methods or ()
            }
            for path, operations in schema["paths"].items():
                for method, operation in operations.items():
                    route = routes.get((path, method))
                    if route is not None:
                        _describe_operation(operation, route)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components["Problem"] = PROBLEM_SCHEMA
            components["JsonValue"] = JSON_VALUE_SCHEMA
            for name in ("HTTPValidationError", "ValidationError"):
                components.pop(name, None)
            _bound_values(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def statuses_of(route: APIRoute | RouteContext) -> set[int]:
    """The problem statuses a route can answer, from what it declares."""
    dependant = route.dependant
    names = {getattr(call, "__name__", "") for call in _calls(dependant)}
    found = {500}
    if dependant.body_params:
        found |= {400, 413, 422}
    if dependant.query_params or dependant.path_params or dependant.header_params:
        found |= {422}
    if names & {"get_principal", "get_commands"}:  # a command authenticates its caller itself
        found |= {401, 403, 410}
    if dependant.path_params:
        found |= {404}
    if "get_commands" in names:
        found |= {400, 403, 404, 409, 422, 429}
    if "get_if_match" in names:
        found |= {400, 412, 428}
    if "wait_for_projections" in names:
        found |= {422, 503}
    if "limit_by_address" in names:
        found |= {429}
    return found


def _describe_operation(operation: dict[str, Any], route: APIRoute | RouteContext) -> None:
    responses = operation.setdefault("responses", {})
    declared = {int(s): r for s, r in route.responses.items() if str(s).isdigit()}
    for parameter in operation.get("parameters", ()):
        _not_null(parameter.get("schema", {}))  # an absent parameter is absent, never "null"
    if 428 in declared:  # the route refuses to write without If-Match
        for parameter in operation.get("parameters", ()):
            if parameter.get("in") == "header" and parameter.get("name", "").lower() == "if-match":
                parameter["required"] = True
    for status in sorted(statuses_of(route) | {s for s in declared if s >= 400}):
        if "content" in declared.get(status, {}):
            continue  # the route says what this answer carries
        existing = responses.get(str(status), {})
        responses[str(status)] = {
            "description": existing.get("description") if status not in TITLES else TITLES[status],
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            **({"headers": existing["headers"]} if "headers" in existing else {}),
        }


def _not_null(schema: dict[str, Any]) -> None:
    """``anyOf: [X, null]`` -> X, keeping the annotations set beside it (a pattern)."""
    branches = schema.get("anyOf")
    if isinstance(branches, list) and any(b.get("type") == "null" for b in branches):
        kept = [b for b in branches if b.get("type") != "null"]
        del schema["anyOf"]
        if len(kept) == 1:
            extra = {k: v for k, v in schema.items() if k not in ("title", "description", "default")}
            schema.update(kept[0])
            schema.update(extra)
        else:
            schema["anyOf"] = kept


def _bound_values(node: Any) -> None:
    """Every integer within 64 bits, every free text without U+0000, every
    free-form object made of values the server keeps (what api/wire.py enforces)."""
    if isinstance(node, dict):
        kind = node.get("type")
        if kind == "integer":
            node.setdefault("minimum", INT64_MIN)
            node.setdefault("maximum", INT64_MAX)
            node["minimum"] = max(node["minimum"], INT64_MIN)
            node["maximum"] = min(node["maximum"], INT64_MAX)
        elif kind == "string" and not ({"pattern", "format", "enum", "const"} & node.keys()):
            node["pattern"] = TEXT
        elif kind == "object" and node.get("additionalProperties") is True:
            node["additionalProperties"] = {"$ref": "#/components/schemas/JsonValue"}
        for key, value in node.items():
            if key not in ("JsonValue", "Problem"):
                _bound_values(value)
    elif isinstance(node, list):
        for item in node:
            _bound_values(item)
