"""The tycoon read model (seed 003), in the ``tycoon`` schema: worlds,
guilds, world events and quests (``world``); heroes, the master's influence,
decisions, the activity log and relationships (``heroes``); the seed's
``users`` and ``user_sessions`` as views over the one account and its login
sessions; and the seed's views ``active_heroes`` and ``recent_activity``."""

from projections.model import ReadModel, View
from projections.tycoon import heroes, world

READ_MODEL = ReadModel(
    context="tycoon",
    schema="tycoon",
    projections=(world.PROJECTION, heroes.PROJECTION),
    views=(
        # Every account, without the password hash (no read table holds one).
        View("users", "tycoon", "SELECT account_id AS id, username, email, created_at FROM accounts.players"),
        # Login sessions (infra/auth_sessions.py): no token at all, hashed or
        # not; a session records no use of its own, so last_seen_at is when
        # its player was last seen (accounts.players.last_seen).
        View(
            "user_sessions",
            "tycoon",
            "SELECT s.sid AS id, s.player_id AS user_id, s.created_at, "
            "GREATEST(s.created_at, p.last_seen) AS last_seen_at, s.refresh_expires_at AS expires_at, "
            "(s.revoked_at IS NULL AND s.refresh_expires_at > now()) AS is_active "
            "FROM public.lorekeeper_auth_sessions s LEFT JOIN accounts.players p ON p.account_id = s.player_id",
        ),
        # Heroes doing something (not waiting for their master), with their
        # guild and the master's influence.
        View(
            "active_heroes",
            "tycoon",
            "SELECT h.id, h.world_id, h.user_id, h.name, h.current_action, h.location, h.energy, h.mood, "
            "h.level, h.gold, h.last_decision_at, h.action_ends_at, g.name AS guild_name, "
            "m.trust, m.respect, m.fear "
            "FROM tycoon.heroes h JOIN tycoon.guilds g ON g.id = h.guild_id "
            "LEFT JOIN tycoon.master_influence m ON m.hero_id = h.id "
            "WHERE h.current_action <> 'wait'",
        ),
        # The last day of activity, with the hero's name.
        View(
            "recent_activity",
            "tycoon",
            "SELECT a.*, h.name AS hero_name FROM tycoon.activity_log a JOIN tycoon.heroes h ON h.id = a.hero_id "
            "WHERE a.real_time > now() - interval '1 day'",
        ),
    ),
    unprojected=frozenset({"lorekeeper.guild.Joined", "lorekeeper.hero_bond.Created"}),
)
