"""The world events part of ``lorekeeper demo adventure``: an admin opens a
harvest festival and spring now (crafts of wood go better, quests give more
experience) and schedules a winter that comes back every day; a player
sets off a feast of its own (``world_events``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from infra.entrypoints.demo import check as _check


def celebrate(http: httpx.Client, base: str, party: list[Any], admin: dict[str, str]) -> list[str]:
    """Schedule the events; their names."""
    now = datetime.now(UTC)
    events = [
        {"event_type": "festival", "event_name": "Harvest Festival", "description": "Wood is plentiful.",
         "effects": {"craft_odds": 0.2, "recipe_types": ["woodcutting"], "quest_experience": 1.5},
         "start_time": now.isoformat(), "end_time": (now + timedelta(hours=2)).isoformat()},
        {"event_type": "season", "event_name": "Spring", "description": "The coordinator answers it.",
         "start_time": now.isoformat(), "end_time": (now + timedelta(hours=6)).isoformat()},
        {"event_type": "season", "event_name": "Winter", "description": "Every day, an hour of snow.",
         "effects": {"craft_odds": -0.1}, "every_seconds": 86_400,
         "start_time": (now + timedelta(hours=1)).isoformat(), "end_time": (now + timedelta(hours=2)).isoformat()},
    ]  # fmt: skip
    names = [_check(http.post(f"{base}/events", json=e, headers=admin), 201)["event_name"] for e in events]
    _, character, auth = party[-1]
    feast = {
        "event_type": "player",
        "event_name": f"{character['name']}'s Feast",
        "character_id": character["id"],
        "start_time": (now + timedelta(minutes=5)).isoformat(),
        "end_time": (now + timedelta(minutes=35)).isoformat(),
    }
    names.append(_check(http.post(f"{base}/events", json=feast, headers=auth), 201)["event_name"])
    return names
