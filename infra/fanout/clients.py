"""kafka-python's consumer and admin client, built so that a failed start
leaves nothing running.

Their constructors (kafka-python 3.0.12) start a network thread, then wait
for the broker; when the broker does not answer in time they raise, and the
thread they started stays behind, reconnecting to the broker for the life of
the process. Whoever retries while a broker is down (the consumer loop every
second, the relay's topic check, the local broker's readiness probe) left one
such thread per attempt. ``started`` ends it before the error goes on. Hand
written because the library has no hook for it; drop it once a release closes
what a failed constructor opened.
"""

from __future__ import annotations

from typing import Any

STOP_TIMEOUT_MS = 5000


def started(kind: type[Any], **config: Any) -> Any:
    """``kind(**config)`` for ``KafkaConsumer`` or ``KafkaAdminClient``; if that
    raises, the network thread it had started ends first."""
    client = object.__new__(kind)
    try:
        kind.__init__(client, **config)
    except BaseException:
        net = getattr(client, "_net", None)
        if net is not None:
            net.stop(timeout_ms=STOP_TIMEOUT_MS)  # bounded: the thread only polls its sockets
        inner = getattr(client, "_client", None)
        if inner is not None:
            inner.close()  # its sockets, and the selector's wake-up pipe
        raise
    return client
