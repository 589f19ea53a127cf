"""The live-play HTTP API (seed 001): characters and the session WebSocket."""

from api.context import ContextHttp
from api.live import characters, sessions

HTTP = ContextHttp("live", (characters.router, sessions.router))
