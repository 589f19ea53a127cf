"""What an idempotent command's error answers look like on the wire: the
problem documents the store keeps and replays (infra/idempotency.py stores)."""

from __future__ import annotations

import orjson

from api.problems import Problem, from_domain
from domain.kernel.errors import DomainError
from infra.idempotency import Stored


def answer_of(error: Exception) -> Stored | None:
    """A refusal to store as the command's answer; None for anything else."""
    if not isinstance(error, Problem | DomainError):
        return None
    problem = from_domain(error) if isinstance(error, DomainError) else error
    return Stored(
        problem.status,
        orjson.dumps(problem.body()),
        {**problem.headers, "content-type": "application/problem+json"},
    )
