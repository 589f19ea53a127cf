"""The narrative HTTP API (seed 000): save slots, the catalogue, content, telemetry."""

from api.context import ContextHttp
from api.narrative import catalogue, content, save_slots, telemetry

HTTP = ContextHttp("narrative", (save_slots.router, catalogue.router, content.router, telemetry.router))
