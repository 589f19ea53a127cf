"""A Kafka client that cannot reach its broker leaves nothing running: with
kafka-python 3.0.12 each failed consumer or admin client left a network
thread reconnecting for the life of the process, one per retry of an outage."""

from __future__ import annotations

import socket

import pytest
from kafka import KafkaAdminClient, KafkaConsumer
from kafka.errors import KafkaError

from infra.fanout.clients import started
from tests.integration.kafka_helpers import kafka_threads


@pytest.fixture
def nobody_listening() -> str:
    """An address where no broker answers (a port bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"127.0.0.1:{port}"


@pytest.mark.parametrize("kind", [KafkaConsumer, KafkaAdminClient], ids=lambda k: k.__name__)
def test_a_client_that_cannot_start_ends_its_network_thread(kind, nobody_listening):
    before = kafka_threads()
    for _ in range(3):  # as a loop retrying through an outage does
        with pytest.raises(KafkaError):
            started(kind, bootstrap_servers=nobody_listening, bootstrap_timeout_ms=300)
    assert kafka_threads() == before


def test_without_the_wrapper_the_library_leaves_the_thread_behind(nobody_listening):
    """The defect ``started`` works around, so that a release that fixes it is noticed."""
    before = kafka_threads()
    with pytest.raises(KafkaError):
        KafkaAdminClient(bootstrap_servers=nobody_listening, bootstrap_timeout_ms=300)
    leaked = kafka_threads() - before
    assert leaked, "kafka-python now ends the thread itself: infra/fanout/clients.py can go"
    for thread in leaked:  # tidy up after the demonstration
        thread._target.__self__.stop(timeout_ms=5000)  # type: ignore[attr-defined]  # its selector's run_forever
