"""Lorekeeper's domain: the shared kernel and one package per bounded context
(``accounts``, ``narrative``, ``live``, ...). Imports only the standard
library, pydantic and eventsourcing (import-linter checks it).

Event topics register when a context's package is imported: the composition
root (infra/entrypoints/contexts.py) imports every listed context.
"""
