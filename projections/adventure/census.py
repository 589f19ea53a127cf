"""What the surveyor agents (``world_builder``, ``balance_keeper``) see of a
world as a whole: ``domain.adventure.agents.Census`` answered from this
context's read tables. Each answer is one indexed query, bounded; the agent
records what it saw in its entry's reasoning, so a decision can be read back
whatever the tables say later."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.adventure.terrain import SIZE
from projections.db import Pool

WORLDS_MAX = 100
CROWDS_MAX = 16  # the most crowded chunk columns a survey sees
PRODUCTS_MAX = 50


class ReadSideCensus:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    def _rows(self, query: str, params: tuple[Any, ...] | dict[str, Any]) -> list[dict[str, Any]]:
        with self.pool.connection() as conn:
            return [dict(row) for row in conn.execute(query, params).fetchall()]

    def worlds(self) -> list[UUID]:
        rows = self._rows(
            "SELECT id FROM adventure.worlds WHERE is_active ORDER BY created_at, id LIMIT %s", (WORLDS_MAX,)
        )
        return [row["id"] for row in rows]

    def crowds(self, world_id: UUID) -> list[dict[str, Any]]:
        """Chunk columns (x, z) with two characters or more in them, most first
        (``idx_characters_position``)."""
        return self._rows(
            "SELECT floor(position_x / %(size)s)::int AS chunk_x, floor(position_z / %(size)s)::int AS chunk_z, "
            "count(*)::int AS characters FROM adventure.characters WHERE world_id = %(world)s "
            "GROUP BY 1, 2 HAVING count(*) > 1 ORDER BY 3 DESC, 1, 2 LIMIT %(limit)s",
            {"size": SIZE, "world": world_id, "limit": CROWDS_MAX},
        )

    def products(self, world_id: UUID) -> list[dict[str, Any]]:
        """What the world's characters hold of each recipe's product, most first."""
        return self._rows(
            "SELECT r.recipe_name, r.recipe_type, sum(i.quantity)::bigint AS quantity "
            "FROM adventure.crafting_recipes r "
            "JOIN adventure.inventory i ON i.item_name = r.result_item ->> 'item_name' "
            "JOIN adventure.characters c ON c.id = i.character_id WHERE c.world_id = %s "
            "GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT %s",
            (world_id, PRODUCTS_MAX),
        )
