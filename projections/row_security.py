"""Row-level security for the read tables a player reads directly (the
tycoon's): the role such reads take on, the player set on the transaction,
and the policy a table's ``player_rows`` condition becomes (``Table.ddl``)."""

from __future__ import annotations

PLAYER_ROLE = "lorekeeper_player"
# The player a read is made for, as the row-security conditions read it (no
# setting, or an empty one: nobody, so nothing is seen).
PLAYER = "nullif(current_setting('lorekeeper.player', true), '')::uuid"
# The role reads made for a player take on; roles are the cluster's, so a
# second database (or a concurrent set-up) finds it made.
# A database user without CREATEROLE needs an administrator to have run
# ``CREATE ROLE lorekeeper_player NOLOGIN; GRANT lorekeeper_player TO <user>``
# once (docs/operations.md); then this does nothing.
PLAYER_ROLE_DDL = f"""DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{PLAYER_ROLE}') THEN
        CREATE ROLE {PLAYER_ROLE} NOLOGIN;
    END IF;
    IF NOT pg_has_role(current_user, '{PLAYER_ROLE}', 'MEMBER') THEN
        EXECUTE format('GRANT {PLAYER_ROLE} TO %I', current_user);
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN NULL;
    WHEN insufficient_privilege THEN RAISE EXCEPTION
        'the role {PLAYER_ROLE} is missing: as an administrator, CREATE ROLE {PLAYER_ROLE} NOLOGIN; '
        'GRANT {PLAYER_ROLE} TO %', current_user;
END $$"""


def policy_ddl(schema: str, table: str, condition: str) -> list[str]:
    """The statements that let ``PLAYER_ROLE`` read the rows of
    ``schema.table`` where ``condition`` holds, and nothing else."""
    return [
        PLAYER_ROLE_DDL,
        f"GRANT USAGE ON SCHEMA {schema} TO {PLAYER_ROLE}",
        f"GRANT SELECT ON {schema}.{table} TO {PLAYER_ROLE}",
        f"ALTER TABLE {schema}.{table} ENABLE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS player_rows ON {schema}.{table}",
        f"CREATE POLICY player_rows ON {schema}.{table} FOR SELECT TO {PLAYER_ROLE} USING ({condition})",
    ]
