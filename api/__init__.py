"""The HTTP layer: FastAPI routers of every bounded context, and what they share."""
