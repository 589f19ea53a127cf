"""The static universes shipped with Lorekeeper (``infra/data``), by version."""

from __future__ import annotations

from pathlib import Path

import orjson

from domain.echoes.universe import UniverseData

DATA = Path(__file__).parent / "data"


def shipped_path(version: int) -> Path:
    return DATA / f"echoes-universe-v{version}.json"


def shipped(version: int) -> UniverseData | None:
    """The shipped universe of ``version``, or None if there is none."""
    path = shipped_path(version)
    return UniverseData.model_validate(orjson.loads(path.read_bytes())) if path.exists() else None
