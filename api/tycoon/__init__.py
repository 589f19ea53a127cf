"""The tycoon context's HTTP API (seed 003) under ``/v1/tycoon``: worlds and
world events (``worlds``), heroes, gestures and orders (``heroes``), quests
(``quests``), and the offline report (``report``) (docs/tycoon.md)."""

from api.context import ContextHttp
from api.tycoon import heroes, quests, report, worlds

HTTP = ContextHttp("tycoon", (worlds.router, heroes.router, quests.router, report.router))
