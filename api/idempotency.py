"""What an idempotent command's refusals look like on the wire: the problem
documents the store keeps and replays (infra/idempotency.py stores)."""

from __future__ import annotations

import orjson

from api.problems import Problem, from_domain
from domain.kernel.errors import ConcurrentWrite, DomainError
from infra.idempotency import Stored

# Answers a retry should not get again: it might succeed.
RETRYABLE_STATUSES = frozenset({429, 503})


def answer_of(error: Exception) -> Stored | None:
    """A refusal to give as the command's answer; None for anything else."""
    if not isinstance(error, Problem | DomainError):
        return None
    problem = from_domain(error) if isinstance(error, DomainError) else error
    return Stored(
        problem.status,
        orjson.dumps(problem.body()),
        {**problem.headers, "content-type": "application/problem+json"},
        retryable=isinstance(error, ConcurrentWrite) or problem.status in RETRYABLE_STATUSES,
    )
