"""The shared kernel: what every bounded context builds on.

- ``aggregate``: the aggregate and event base classes (pydantic events, stable topics, JSON snapshots)
- ``errors``: the error tree the API maps by place, never by name
- ``store``: the one event store (eventsourcing ``Application``), ``Written``, the load-decide-save loop
- ``context``: how a context declares itself
- ``text``, ``clock``: small rules every context shares
"""
