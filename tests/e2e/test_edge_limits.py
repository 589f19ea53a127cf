"""Abuse is bounded per player: live-session actions per second and a storage
budget (bytes of commands and actions per window), each answered with the
protocol's 429 and when to retry."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import assert_problem, new_slot, sign_up
from tests.e2e.ws_client import start


@pytest.mark.parametrize("live_server", [{"action_rate_limit": "5/second"}], indirect=True)
def test_actions_beyond_the_rate_are_refused_with_retry_after_and_use_no_sequence_number(http):
    client, _, _ = start(http)
    answers = [client.act(seq) for seq in range(1, 6)]
    assert all(a["type"] == "ack" for a in answers)
    refused = client.act(6)
    assert (refused["type"], refused["code"], refused["seq"]) == ("error", "rate_limited", 6)
    assert refused["retry_after"] >= 1
    client.close()


@pytest.mark.parametrize("live_server", [{"storage_budget": "20000/minute"}], indirect=True)
def test_a_player_past_the_storage_budget_gets_429_and_another_player_does_not(http):
    writer, other = sign_up(http), sign_up(http)
    slot = new_slot(http, writer)
    url = f"/v1/save-slots/{slot['slot_id']}"
    blob = {"narrative_state": {"blob": "x" * 6000}}
    version = slot["version"]
    for _ in range(3):
        saved = http.put(url, headers={**writer.auth, "If-Match": f'"{version}"'}, json=blob)
        assert saved.status_code == 200, saved.text
        version = saved.json()["version"]
    refused = http.put(url, headers={**writer.auth, "If-Match": f'"{version}"'}, json=blob)
    body = assert_problem(refused, 429, "storage_budget_exhausted")
    assert int(refused.headers["Retry-After"]) >= 1 and "bytes" in body["detail"]
    assert new_slot(http, other)["name"] == "main", "the budget is per player"
