"""Secrets a deployment generates for itself when none is configured."""

from __future__ import annotations

import secrets
from pathlib import Path

from infra.settings import Settings


def secret(settings: Settings, configured: str | None, name: str) -> str:
    """The configured secret, or one generated once into the data directory."""
    if configured:
        return configured
    path = Path(settings.data_dir) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
