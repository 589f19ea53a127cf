"""The accounts HTTP API: sign-up and login, player profiles, export and erasure."""

from api.accounts import auth, players, privacy
from api.context import ContextHttp

HTTP = ContextHttp("accounts", (auth.router, players.router, privacy.router))
