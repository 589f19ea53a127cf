"""Seed 000's ``telemetry_events``, filled by the telemetry consumer
(infra/fanout/consumers.py) from domain events and client telemetry, not by a
projection: its client events exist nowhere else, so it is moved, never rebuilt."""

from __future__ import annotations

from projections.model import Owner, Table

SCHEMA = "narrative"

TELEMETRY_EVENTS = Table(
    "telemetry_events",
    SCHEMA,
    owner=Owner("account_id"),
    columns=(
        ("event_id", "uuid NOT NULL"),
        ("account_id", "uuid"),
        ("event_type", "text NOT NULL"),
        ("payload", "jsonb NOT NULL"),
        ("timestamp", "timestamptz NOT NULL"),
        ("source", "text NOT NULL"),
        ("position", "bigint"),
    ),
    key=("event_id",),
    indexes=("(account_id, timestamp)", "(event_type, timestamp)"),
)

# Which player each aggregate's events are about (the consumer's own lookup).
TELEMETRY_SUBJECTS = Table(
    "telemetry_subjects",
    SCHEMA,
    owner=Owner("account_id"),
    columns=(("subject_id", "uuid NOT NULL"), ("account_id", "uuid NOT NULL")),
    key=("subject_id",),
)
