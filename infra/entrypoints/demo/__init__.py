"""``lorekeeper demo <context>``: each context's seed data, played through the API of a running server."""
