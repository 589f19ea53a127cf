"""The adventure read model (seed 002, part 1), in the ``adventure`` schema:
worlds, chunks and recipes (``world``); characters, inventory, skills,
relationships and achievements (``characters``); stories, their branches
and the choices made in them (``stories``); quests, their objectives and
runs (``quests``); world events (``world_events``); AI agents, their memory and the
world evolution log (``agents``); and the seed's ``users``
and ``sessions`` as views over the one account and its login sessions."""

from projections.adventure import agents, characters, quests, stories, world, world_events
from projections.model import ReadModel, View

READ_MODEL = ReadModel(
    context="adventure",
    schema="adventure",
    projections=(
        world.PROJECTION,
        characters.PROJECTION,
        stories.PROJECTION,
        quests.PROJECTION,
        world_events.PROJECTION,
        agents.PROJECTION,
    ),
    views=(
        # The seed's users: every account, without the password hash (no read
        # table holds one: it lives in the accounts aggregate's events, sealed,
        # and only the login check reads it); profile is what a player shows.
        View(
            "users",
            "adventure",
            "SELECT account_id AS id, username, email, "
            "jsonb_build_object('display_name', display_name, 'platform_links', platform_links) AS profile, "
            "created_at, last_seen AS updated_at, erased_at IS NULL AS is_active, last_seen AS last_login "
            "FROM accounts.players",
        ),
        # The seed's sessions: the login sessions (infra/auth_sessions.py). The
        # token is never stored: session_token is the refresh token's SHA-256.
        View(
            "sessions",
            "adventure",
            "SELECT sid AS id, player_id AS user_id, encode(refresh_hash, 'hex') AS session_token, "
            "jsonb_build_object('access_expires_at', access_expires_at, 'revoked_at', revoked_at) AS session_data, "
            "created_at, refresh_expires_at AS expires_at, "
            "(revoked_at IS NULL AND refresh_expires_at > now()) AS is_active "
            "FROM public.lorekeeper_auth_sessions",
        ),
    ),
    unprojected=frozenset(
        {
            # A name claim is a hash; a roster is the limit's bookkeeping (characters
            # shows the same); an achievements record shows through its unlocks.
            "lorekeeper.world_name.Created",
            "lorekeeper.roster.Created",
            "lorekeeper.roster.Joined",
            "lorekeeper.achievements.Created",
            # The registry is the agents by type (ai_agents shows them); a memory
            # shows once something is remembered; dependents show as depends_on.
            "lorekeeper.agent_registry.Created",
            "lorekeeper.agent_registry.Listed",
            "lorekeeper.agent_memory.Created",
            "lorekeeper.evolution.DependentAdded",
        }
    ),
)
