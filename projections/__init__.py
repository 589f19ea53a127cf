"""Read models built from the event store.

The shared machinery (``model``, ``runner``, ``tracking``, ``follower``,
``rebuild``, ``ddl``) serves one package per bounded context, each declaring its
``READ_MODEL``: its PostgreSQL schema, its projections (tables, a schema
version, pure handlers) and the tables its consumers fill.
"""
