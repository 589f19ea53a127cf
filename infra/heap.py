"""The collector's view of a long-running process.

Start-up's objects (modules, classes, pydantic's schemas, validators and
serializers) live as long as the process. Left to the cyclic collector, every
full collection walks them all: 42 ms for the 101,000 objects the app holds
once imported (pydantic-core's validators are slow to traverse), paid at
random moments under load. A hero's catch-up that met one took 103 ms instead
of 19; the API's event loop paused 40-55 ms a few times a second. Frozen
(``gc.freeze``), they move to a permanent generation that no collection walks
(0.004 ms), while reference counting still frees any of them let go.

What a process keeps while it runs is the same story told later: the store's
cache of aggregates (130,000 objects for 10,000 heroes and their bonds) was
walked by every full collection, 70-80 ms each, and two of them in 200
catch-ups were the catch-ups' p99. So ``settle`` also installs a keeper: what
survives a full collection (it was all reachable a moment ago) is frozen as
well, and the next full collections walk only what came after (under 1 ms).
The price: a cycle among frozen objects that becomes garbage later is not
found while frozen. So once the process's peak memory has grown to
``THAW_GROWTH`` times what it was at the last walk of everything, the next
full collection thaws first and walks it all (one long pause, as every full
collection was before), then freezes what survived: the memory such garbage
can hold is bounded by that growth. (Peak memory, not the frozen generation's
size: counting that walks it, 4 ms for 80,000 objects, at every full
collection; a process whose memory has stopped growing never thaws.)

Every long-running entrypoint settles its heap once started: the API (its
lifespan), the projector process (which also fires the timers and takes AI
turns), the relay and the Kafka consumers; and benchmarks that measure use
cases in their own process settle theirs as the server does.
"""

from __future__ import annotations

import gc
import resource
from collections.abc import Callable
from typing import Any

THAW_GROWTH = 2.0


def peak_memory() -> int:
    """The process's peak resident size (kilobytes on Linux): one system call,
    where counting the frozen generation walks it (4 ms for 80,000 objects)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class Keeper:
    """A ``gc.callbacks`` entry: freezes what survives each full collection,
    and thaws everything before one once the process's peak memory (``size``)
    has grown ``growth`` times since everything was last walked."""

    def __init__(self, growth: float = THAW_GROWTH, size: Callable[[], int] = peak_memory) -> None:
        self.growth = growth
        self.size = size
        self.thaw_above = size() * growth
        self.thaws = 0
        self._thawing = False

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            if self.size() > self.thaw_above:
                gc.unfreeze()  # this collection walks everything: dead cycles among the frozen are found
                self.thaws += 1
                self._thawing = True
            return
        gc.freeze()  # survivors of a full collection: walked again only at the next thaw
        if self._thawing:
            self.thaw_above, self._thawing = self.size() * self.growth, False


_keeper: Keeper | None = None


def settle(enabled: bool = True) -> None:
    """Collect what start-up left as garbage, freeze what survives out of the
    collector's walks, and keep freezing what survives each full collection
    (unless ``enabled`` is false: ``LOREKEEPER_GC_FREEZE``). Once per process."""
    global _keeper
    if not enabled:
        return
    gc.collect()
    gc.freeze()
    if _keeper is None:
        _keeper = Keeper()
        gc.callbacks.append(_keeper)


def unsettle() -> None:
    """Undo ``settle``: nothing frozen, no keeper (for tests)."""
    global _keeper
    if _keeper is not None:
        gc.callbacks.remove(_keeper)
        _keeper = None
    gc.unfreeze()
