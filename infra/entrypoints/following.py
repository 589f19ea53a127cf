"""The middle of the composition root: everything that follows the event log
once it is written, and the loops that run it. The read side's projection
runners and the analysts' history; the fan-out (the in-process feeds of the
consumers, or, with a broker, the relay and the telemetry producer); the
durable timers' scheduler and worker; and the followers, each a loop on the
log's notifications, that run them in the projector, timers, relay or test
processes. ``Container`` (bootstrap.py) adds the setup, the HTTP app and the
closing of all of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from uuid import UUID

from infra.entrypoints.contexts import read_models
from infra.entrypoints.foundation import Foundation
from infra.fanout.ai import AiConsumer, TurnOutbox
from infra.fanout.consumers import Consumer
from infra.fanout.feed import EventStoreFeed, LocalTelemetrySink, TelemetrySink
from infra.fanout.kafka_consumer import KafkaTelemetrySink
from infra.fanout.relay import Relay
from infra.fanout.relay import producer as kafka_producer
from infra.fanout.telemetry import TelemetryConsumer
from infra.history import History
from infra.timers import TimerScheduler, TimerWorker, combined_policies
from infra.timers import timer_handlers as handlers_of
from projections.follower import Follower, Reader
from projections.model import ReadModel, Table
from projections.read_side import ReadSide
from projections.runner import ProjectionRunner
from projections.tracking import EventLog, TrackedReader


@dataclass
class Following(Foundation):
    """What follows the log, built on first use (see the module's docstring)."""

    # -- the read side --------------------------------------------------------------

    @cached_property
    def read_models(self) -> list[ReadModel]:
        return read_models()

    @property
    def tables(self) -> list[Table]:
        """Every read table of every context."""
        return [table for model in self.read_models for table in model.tables]

    @cached_property
    def event_log(self) -> EventLog:
        """The notification log, read by projections, the relay and the feeds."""
        return EventLog(self.recorder.events_table_name)

    @cached_property
    def runners(self) -> dict[str, ProjectionRunner]:
        return {
            projection.name: ProjectionRunner(
                projection,
                self.pool,
                self.event_log,
                self.mapper.open_state,
                batch_size=self.settings.projection_batch_size,
            )
            for model in self.read_models
            for projection in model.projections
        }

    @cached_property
    def history(self) -> History:
        """The log as analysts read it: selections, NDJSON, exports."""
        plain = self.mapper.cipher is None and self.mapper.compressor is None
        return History(self.pool, self.event_log, self.mapper.decode_state, self.keys, stored_as_json=plain)

    @cached_property
    def read_side(self) -> ReadSide:
        return ReadSide(
            self.pool,
            self.event_log,
            list(self.runners),
            self.settings.read_wait_max_seconds,
            self.settings.read_wait_max_waiters,
        )

    # -- fan-out ----------------------------------------------------------------------

    @property
    def kafka_enabled(self) -> bool:
        return bool(self.settings.kafka_bootstrap_servers)

    @cached_property
    def consumers(self) -> dict[str, Consumer]:
        return {
            "telemetry": TelemetryConsumer(self.mapper.decode_state, self.recorder.events_table_name, keys=self.keys),
            "ai": AiConsumer(self.turn_handlers, self.settings.turn_threads, refresh=self.cache_keeper.catch_up),
        }

    @cached_property
    def feeds(self) -> list[EventStoreFeed]:
        """Without a broker, the consumers run in-process, fed from the event store."""
        decode, consumers = self.mapper.decode_state, [] if self.kafka_enabled else self.consumers.values()
        return [EventStoreFeed(consumer, self.pool, self.event_log, decode) for consumer in consumers]

    @cached_property
    def relay(self) -> Relay:
        assert self.settings.kafka_bootstrap_servers
        return Relay(
            self.pool,
            self.event_log,
            self.mapper.decode_state,
            self.settings.kafka_bootstrap_servers,
            partitions=self.settings.kafka_partitions,
            batch_size=self.settings.relay_batch_size,
        )

    @cached_property
    def telemetry_sink(self) -> TelemetrySink:
        if self.kafka_enabled:
            assert self.settings.kafka_bootstrap_servers
            return KafkaTelemetrySink(kafka_producer(self.settings.kafka_bootstrap_servers))
        return LocalTelemetrySink(self.consumers["telemetry"], self.pool)

    def readers(self) -> list[TrackedReader]:
        """Everything that follows the log here, for status and health."""
        relay: list[TrackedReader] = [self.relay] if self.kafka_enabled else []
        return [*self.runners.values(), *self.feeds, self.timer_scheduler, *relay]

    # -- timers -----------------------------------------------------------------------

    @cached_property
    def timer_scheduler(self) -> TimerScheduler:
        """Sets the contexts' durable timers from the log."""
        policies = combined_policies(self.contexts, self.settings)
        return TimerScheduler(self.pool, self.event_log, self.mapper.to_domain_event, policies)

    @cached_property
    def turn_handlers(self) -> dict[str, Callable[[UUID, datetime], object]]:
        """The handlers of the timers that are an AI's turn (infra/fanout/ai.py)."""
        turns = {kind for context in self.contexts for kind in context.ai_turns}
        return {kind: h for kind, h in self.timer_handlers.items() if kind in turns}

    @cached_property
    def timer_handlers(self) -> dict[str, Callable[[UUID, datetime], object]]:
        """Each timer kind's handler, bound to its context's use cases."""
        return handlers_of(self.contexts, self.use_cases)

    @cached_property
    def turn_outbox(self) -> TurnOutbox:
        assert self.settings.kafka_bootstrap_servers
        servers = self.settings.kafka_bootstrap_servers
        return TurnOutbox(lambda: kafka_producer(servers), servers, self.settings.kafka_partitions)

    @cached_property
    def timer_worker(self) -> TimerWorker:
        """Fires due timers through the contexts' use cases; with a broker, an
        AI's turn goes to the ``lorekeeper-ai`` group instead."""
        handlers, flush, handed_over = dict(self.timer_handlers), None, set()
        if self.kafka_enabled:
            outbox, handed_over = self.turn_outbox, set(self.turn_handlers)
            handlers |= {kind: outbox.sender(kind) for kind in handed_over}
            flush = outbox.flush

        def warm(timers: list[tuple[str, UUID]]) -> None:  # what this process's handlers will load
            self.store.warm(subject for kind, subject in timers if kind not in handed_over)

        threads, refresh = self.settings.turn_threads, self.cache_keeper.catch_up
        return TimerWorker(self.pool, handlers, flush=flush, threads=threads, refresh=refresh, warm=warm)

    def _follower(self, readers: Sequence[Reader]) -> Follower:
        return Follower(
            readers,
            self.conninfo,
            channel=self.recorder.channel_name,
            poll_seconds=self.settings.projection_poll_seconds,
            coalesce_seconds=self.settings.projection_coalesce_seconds,
        )

    @cached_property
    def follower(self) -> Follower:
        """Projections, the timers' scheduler, and the in-process consumers when
        there is no broker (``start_background`` runs it with the timer worker)."""
        return self._follower([*self.runners.values(), *self.feeds, self.timer_scheduler])

    @cached_property
    def timer_follower(self) -> Follower:
        """The timer worker on its own loop, looking every ``timer_poll_seconds``:
        a due turn waits for that, never for a long round of projections."""
        poll = self.settings.timer_poll_seconds
        channel = self.recorder.channel_name
        return Follower([self.timer_worker], self.conninfo, channel=channel, poll_seconds=poll, coalesce_seconds=poll)

    def start_background(self) -> None:
        """The follower and the timer worker, as threads."""
        self.follower.start()
        self.timer_follower.start()
        self.keep_cache()

    @cached_property
    def cache_follower(self) -> Follower:
        """The cache keeper on its own loop: other processes' writes reach this
        process's aggregate cache within a round (infra/cache_keeper.py)."""
        channel, poll = self.recorder.channel_name, self.settings.projection_poll_seconds
        every = self.settings.cache_follow_seconds  # one query a round, not one per commit
        return Follower([self.cache_keeper], self.conninfo, channel=channel, poll_seconds=poll, coalesce_seconds=every)

    def keep_cache(self) -> None:
        """Follow the log for the aggregate cache, once per process."""
        if not self.cache_follower.started:
            self.cache_follower.start()

    def stop_background(self) -> None:
        for name in ("timer_follower", "follower", "cache_follower"):
            if name in self.__dict__:
                self.__dict__[name].stop()

    @cached_property
    def relay_follower(self) -> Follower:
        """The relay on its own loop, so a slow broker never delays projections."""
        return self._follower([self.relay])

    def run_relay(self) -> None:
        """Become the active relay (or stand by), then publish until stopped."""
        follower = self.relay_follower
        self.relay.setup()
        if self.relay.acquire_leadership(self.conninfo, follower.stopping.wait):
            follower.run()
        self.relay.close()
