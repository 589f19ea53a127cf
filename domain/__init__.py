"""Lorekeeper's domain: aggregates, their events, and the command services.

Imports only the standard library, pydantic and eventsourcing. Importing this
package registers every event topic, which decoding stored events relies on.
"""

from domain import accounts, characters, progression, sessions  # noqa: F401  (registers event topics)
