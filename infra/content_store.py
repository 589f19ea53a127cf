"""The bytes of content packages, stored content-addressed (by SHA-256): the
events name a package's checksum, never carry its bytes."""

from __future__ import annotations

from projections.db import Pool
from projections.ddl import lock_ddl

DDL = """CREATE TABLE IF NOT EXISTS lorekeeper_content_blobs (
    checksum text PRIMARY KEY,
    content bytea NOT NULL
)"""


class ContentBlobs:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    def setup(self) -> None:
        with self.pool.connection() as conn, conn.transaction():
            lock_ddl(conn)
            conn.execute(DDL)

    def put(self, checksum: str, content: bytes) -> None:
        """Store the bytes (verified against ``checksum`` by the caller) before the event naming them."""
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO lorekeeper_content_blobs (checksum, content) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (checksum, content),
            )

    def get(self, checksum: str) -> bytes | None:
        with self.pool.connection() as conn:
            row = conn.execute(
                "SELECT content FROM lorekeeper_content_blobs WHERE checksum = %s", (checksum,)
            ).fetchone()
        return bytes(row["content"]) if row else None
