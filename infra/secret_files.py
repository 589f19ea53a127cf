"""Secrets a deployment generates for itself when none is configured.

A secret file is created exclusively (``O_CREAT | O_EXCL``) with mode 0600
from the start, written in full under a temporary name and linked into place,
so no other user can ever read it and two processes starting on a fresh data
directory agree on one secret: the second one's link fails, and it reads the
first one's.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from infra.settings import Settings


def secret(settings: Settings, configured: str | None, name: str) -> str:
    """The configured secret, or one generated once into the data directory."""
    if configured:
        return configured
    path = Path(settings.data_dir) / name
    if not path.exists():
        create_exclusively(path, secrets.token_urlsafe(48).encode())
    return path.read_text().strip()


def create_exclusively(path: Path, content: bytes) -> bool:
    """Write ``content`` to ``path`` (mode 0600) unless it exists; True if this call created it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(staging, path)  # atomic, and fails if another process won
        except FileExistsError:
            return False
        return True
    finally:
        staging.unlink(missing_ok=True)
