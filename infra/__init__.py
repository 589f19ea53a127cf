"""Adapters (persistence, crypto, group commit, fan-out) and, in ``entrypoints``,
the composition root and the programs."""
