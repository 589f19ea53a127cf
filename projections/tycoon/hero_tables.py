"""The tables of heroes and what they do (seed 003), in the ``tycoon`` schema,
with the seed's names: columns, checks, keys, indexes and who may read which
rows. How events fill them is ``heroes.py``.

- ``heroes``: live state; ``last_decision_at`` the real time of the latest
  decision; the seven traits checked 0..100 by PostgreSQL too.
- ``master_influence``: one row per hero, with the last changes in ``history``.
- ``hero_decisions``: one row per decision; ``outcome`` and ``satisfaction``
  filled when the action it chose ends.
- ``activity_log``: one row per finished action (and per gesture, order and
  quest the hero answered), **partitioned by hash of ``world_id``**.
- ``hero_relationships``: one row per pair, type and direction (a→b and
  b→a from the same events of the pair's one aggregate).
"""

from __future__ import annotations

from domain.tycoon.personality import TRAITS
from projections.model import Owner, Table
from projections.row_security import PLAYER

SCHEMA = "tycoon"
ACTIVITY_PARTITIONS = 8

# Row-level security: a player reads their own heroes and what is theirs.
OWN_HEROES = f"user_id = {PLAYER}"
OF_OWN_HEROES = f"hero_id IN (SELECT id FROM {{schema}}.heroes WHERE user_id = {PLAYER})"
_TRAITS_CHECKED = " AND ".join(f"(personality->>'{t}')::int BETWEEN 0 AND 100" for t in TRAITS)

HEROES = Table(
    "heroes",
    SCHEMA,
    player_rows=OWN_HEROES,
    owner=Owner("user_id"),
    columns=(
        ("id", "uuid NOT NULL"),
        ("world_id", "uuid NOT NULL"),
        ("guild_id", "uuid NOT NULL"),
        ("user_id", "uuid NOT NULL"),
        ("name", "text NOT NULL"),
        ("personality", f"jsonb NOT NULL CHECK ({_TRAITS_CHECKED})"),
        ("backstory", "text NOT NULL"),
        ("motivation", "text NOT NULL"),
        ("current_action", "text NOT NULL"),
        ("location", "text NOT NULL"),
        ("energy", "int NOT NULL CHECK (energy BETWEEN 0 AND 100)"),
        ("mood", "int NOT NULL CHECK (mood BETWEEN 0 AND 100)"),
        ("level", "int NOT NULL CHECK (level >= 1)"),
        ("experience", "bigint NOT NULL CHECK (experience >= 0)"),
        ("gold", "bigint NOT NULL CHECK (gold >= 0)"),
        ("last_decision_at", "timestamptz"),
        ("action_ends_at", "timestamptz"),
        ("created_at", "timestamptz NOT NULL"),
        ("updated_at", "timestamptz NOT NULL"),
        ("version", "int NOT NULL"),
    ),
    key=("id",),
    indexes=(
        "idx_personality_gin USING GIN (personality)",
        "idx_heroes_last_decision (last_decision_at)",
        "idx_heroes_current_action (current_action) WHERE current_action <> 'wait'",
        "(world_id)",
    ),
)

_INFLUENCE = "BETWEEN 0 AND 100"
MASTER_INFLUENCE = Table(
    "master_influence",
    SCHEMA,
    player_rows=OF_OWN_HEROES,
    owner=Owner("hero_id", via="aggregate"),
    columns=(
        ("hero_id", "uuid NOT NULL"),
        ("trust", f"int NOT NULL CHECK (trust {_INFLUENCE})"),
        ("respect", f"int NOT NULL CHECK (respect {_INFLUENCE})"),
        ("fear", f"int NOT NULL CHECK (fear {_INFLUENCE})"),
        ("history", "jsonb NOT NULL"),
        ("updated_at", "timestamptz NOT NULL"),
    ),
    key=("hero_id",),
)

HERO_DECISIONS = Table(
    "hero_decisions",
    SCHEMA,
    player_rows=OF_OWN_HEROES,
    owner=Owner("hero_id", via="aggregate"),
    columns=(
        ("id", "uuid NOT NULL"),
        ("hero_id", "uuid NOT NULL"),
        ("world_id", "uuid NOT NULL"),
        ("decided_at", "timestamptz NOT NULL"),
        ("game_time", "bigint NOT NULL"),
        ("context", "jsonb NOT NULL"),
        ("options", "jsonb NOT NULL"),
        ("chosen_option", "text NOT NULL"),
        ("reasoning", "text NOT NULL"),
        ("personality_factors", "jsonb NOT NULL"),
        ("outcome", "jsonb"),
        ("satisfaction", "int CHECK (satisfaction BETWEEN 0 AND 100)"),
    ),
    key=("id",),
    indexes=("(hero_id, decided_at)", "(world_id, decided_at)"),
)

ACTIVITY_LOG = Table(
    "activity_log",
    SCHEMA,
    player_rows=OF_OWN_HEROES,
    owner=Owner("hero_id", via="aggregate"),
    columns=(
        ("id", "uuid NOT NULL"),
        ("world_id", "uuid NOT NULL"),
        ("hero_id", "uuid NOT NULL"),
        ("activity_type", "text NOT NULL"),
        ("activity_data", "jsonb NOT NULL"),
        ("real_time", "timestamptz NOT NULL"),
        ("game_time", "bigint NOT NULL"),
        ("gold_change", "int NOT NULL"),
        ("experience_change", "int NOT NULL"),
        ("items_changed", "jsonb NOT NULL"),
        ("mood_impact", "int NOT NULL"),
    ),
    key=("world_id", "id"),  # a partitioned table's key holds its partition column
    partitioned=("world_id", ACTIVITY_PARTITIONS),
    indexes=("(world_id, real_time)", "(hero_id, real_time)", "(activity_type)"),
)

HERO_RELATIONSHIPS = Table(
    "hero_relationships",
    SCHEMA,
    player_rows=OF_OWN_HEROES,
    owner=Owner("hero_id", via="aggregate"),
    columns=(
        ("id", "uuid NOT NULL"),
        ("hero_id", "uuid NOT NULL"),
        ("other_hero_id", "uuid NOT NULL CHECK (other_hero_id <> hero_id)"),
        ("relationship_type", "text NOT NULL"),
        ("strength", "int NOT NULL CHECK (strength BETWEEN -100 AND 100)"),
        ("interaction_count", "int NOT NULL"),
        ("last_interaction_at", "timestamptz NOT NULL"),
        ("event_history", "jsonb NOT NULL"),
    ),
    key=("hero_id", "other_hero_id", "relationship_type"),  # unique per pair and type
    indexes=("(other_hero_id)",),
)
