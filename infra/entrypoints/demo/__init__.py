"""``lorekeeper demo <context>``: each context's seed data, played through the API of a running server."""

from __future__ import annotations

from typing import Any

import httpx


def check(r: httpx.Response, *ok: int) -> dict[str, Any]:
    """The answer's JSON if its status is one of ``ok``; a demo stops at anything else."""
    if r.status_code not in ok:
        raise RuntimeError(f"{r.request.method} {r.request.url.path}: {r.status_code} {r.text}")
    return r.json() if r.content else {}
