"""The collector's view of a long-running process.

Start-up's objects (modules, classes, pydantic's schemas, validators and
serializers) live as long as the process. Left to the cyclic collector, every
full collection walks them all: 42 ms for the 101,000 objects the app holds
once imported (pydantic-core's validators are slow to traverse), paid at
random moments under load. A hero's catch-up that met one took 103 ms instead
of 19; the API's event loop paused 40-55 ms a few times a second. Frozen
(``gc.freeze``), they move to a permanent generation that no collection walks
(0.004 ms), while reference counting still frees any of them let go.

Every long-running entrypoint settles its heap once started: the API (its
lifespan), the projector process (which also fires the timers and takes AI
turns), the relay and the Kafka consumers; and benchmarks that measure use
cases in their own process settle theirs as the server does.
"""

from __future__ import annotations

import gc


def settle(enabled: bool = True) -> None:
    """Collect what start-up left as garbage, then freeze what survives out of
    the collector's walks (unless ``enabled`` is false: ``LOREKEEPER_GC_FREEZE``)."""
    if enabled:
        gc.collect()
        gc.freeze()
