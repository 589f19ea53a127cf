"""Small HTTP helpers: If-Match parsing, cursors, domain error mapping."""

from __future__ import annotations

import pytest
from starlette.routing import Match

from api.deps import parse_if_match
from api.pagination import decode_cursor, encode_cursor
from api.problems import Problem, from_domain
from domain.accounts import errors as account_errors
from domain.kernel import errors
from domain.kernel.text import InvalidDisplayName


@pytest.mark.parametrize(
    ("header", "version"), [(None, None), ("", None), ("*", None), (" * ", None), ('"3"', 3), (' "12" ', 12)]
)
def test_if_match_takes_a_strong_version_tag_or_any(header, version):
    assert parse_if_match(header) == version


@pytest.mark.parametrize("header", ['"abc"', '"-1"', '"1.5"', '"1', "1", '1"', '"1", "2"', '"' + "9" * 19 + '"'])
def test_if_match_refuses_what_is_not_one_entity_tag_naming_a_version(header):
    with pytest.raises(Problem) as caught:
        parse_if_match(header)
    assert caught.value.status == 400


def test_a_weak_tag_never_matches_a_write():
    with pytest.raises(Problem) as caught:
        parse_if_match('W/"3"')
    assert (caught.value.status, caught.value.code) == (412, "version_conflict")


def test_cursors_round_trip_and_refuse_forgeries():
    assert decode_cursor(encode_cursor(["2026-01-01", "x"]), 2) == ["2026-01-01", "x"]
    for forged in ["!!!", "e30", encode_cursor(["only-one"])]:
        with pytest.raises(Problem):
            decode_cursor(forged, 2)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.NotFound("x"), 404),
        (errors.PermissionDenied("x"), 403),
        (InvalidDisplayName("x"), 422),
        (errors.TooManyEvents("x"), 422),
        (errors.VersionConflict("x", current_version=3), 412),
        (errors.ConcurrentWrite("x"), 409),
        (account_errors.PlatformIdTaken("x"), 409),
        (account_errors.SaveSlotLimitReached("x"), 409),
        (account_errors.InvalidCredentials("x"), 401),
        (account_errors.AccountLocked("x", retry_after=3), 429),
        (account_errors.PlayerErased("x"), 410),
    ],
)
def test_every_domain_error_maps_to_one_status_and_keeps_its_code(error, status):
    problem = from_domain(error)
    assert problem.status == status
    assert problem.body()["code"] == error.code


def test_a_domain_detail_named_like_a_problem_member_is_renamed_not_a_crash():
    """A tycoon quest that closed (``status=...``) and a session no longer active
    once answered 500: their detail collided with the problem's own ``status``."""
    from domain.live.sessions import SessionNotActive
    from domain.tycoon.quests import QuestClosed

    for error in (QuestClosed("the quest is done", status="done"), SessionNotActive("ended", status="ended")):
        body = from_domain(error).body()
        assert body["status"] == 409 and body["domain_status"] == error.details["status"]
    odd = errors.Conflict("x", type="t", title="ti", code="c", detail="d", headers="h", instance="i", kept=1)
    body = from_domain(odd).body()
    assert (body["code"], body["title"], body["detail"], body["kept"]) == ("conflict", "Conflict", "x", 1)
    assert body["domain_type"] == "t" and body["domain_headers"] == "h" and body["domain_instance"] == "i"


def test_a_prefixed_router_passes_over_paths_outside_its_prefix_and_keeps_404_and_405():
    import asyncio

    import httpx
    from fastapi import FastAPI

    from api import routing

    tried: list[str] = []
    first, second = routing.router(prefix="/v1/first"), routing.router(prefix="/v1/second")

    @first.get("/{anything}")
    def first_route(anything: str) -> dict:
        tried.append(anything)
        return {"router": "first"}

    @second.post("/things")
    def second_route() -> dict:
        return {"router": "second"}

    app = FastAPI()
    app.include_router(first)
    app.include_router(second)
    scope = {"type": "http", "path": "/v1/second/things", "root_path": "", "method": "POST"}
    assert first.matches(scope)[0] == Match.NONE  # not tried: outside its prefix

    async def ask() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            return [
                await client.post("/v1/second/things"),
                await client.get("/v1/first/x"),
                await client.get("/v1/second/things"),
                await client.get("/v1/third"),
            ]

    second_answer, first_answer, wrong_method, nowhere = asyncio.run(ask())
    assert second_answer.json() == {"router": "second"}
    assert first_answer.json() == {"router": "first"} and tried == ["x"]
    assert (wrong_method.status_code, nowhere.status_code) == (405, 404)
