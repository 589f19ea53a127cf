"""A real single-node Apache Kafka (KRaft, broker + controller) for development
and tests, launched from Maven Central jars: no Docker.

``ensure_jars()`` runs Maven once (the jars stay in ``infra/kafka/target/lib``
and Maven's own cache); ``LocalKafka`` formats a fresh KRaft store, starts
``kafka.Kafka`` on free loopback ports, waits until it answers, and stops it.
"""

from __future__ import annotations

import base64
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

KAFKA_DIR = Path(__file__).resolve().parent / "kafka"
LIB_DIR = KAFKA_DIR / "target" / "lib"

LOG4J2 = """\
status = warn
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.console.ref = console
"""


class KafkaError(RuntimeError):
    pass


def ensure_jars() -> Path:
    """The broker's classpath directory, fetched through Maven if missing."""
    if not any(LIB_DIR.glob("kafka_2.13-*.jar")):
        mvn = shutil.which("mvn")
        if mvn is None:
            raise KafkaError("Maven (mvn) is needed to fetch the Kafka broker jars")
        subprocess.run(
            [mvn, "-q", "-B", "-f", str(KAFKA_DIR / "pom.xml"), "dependency:copy-dependencies"],
            check=True,
            timeout=600,
        )
    return LIB_DIR


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cluster_id() -> str:
    """A Kafka cluster id: 16 random bytes, URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


class LocalKafka:
    def __init__(self, data_dir: Path | None = None, port: int | None = None, partitions: int = 3) -> None:
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="lorekeeper-kafka-"))
        self.port = port or free_port()
        self.controller_port = free_port()
        self.partitions = partitions
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _write_config(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "log4j2.properties").write_text(LOG4J2)
        config = self.data_dir / "server.properties"
        config.write_text(
            "\n".join(
                [
                    "process.roles=broker,controller",
                    "node.id=1",
                    f"controller.quorum.bootstrap.servers=127.0.0.1:{self.controller_port}",
                    f"listeners=PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
                    f"advertised.listeners=PLAINTEXT://127.0.0.1:{self.port}",
                    "controller.listener.names=CONTROLLER",
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "inter.broker.listener.name=PLAINTEXT",
                    f"log.dirs={self.data_dir / 'logs'}",
                    f"num.partitions={self.partitions}",
                    "offsets.topic.replication.factor=1",
                    "offsets.topic.num.partitions=3",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    "auto.create.topics.enable=false",
                    "log.flush.interval.messages=1",
                ]
            )
            + "\n"
        )
        return config

    def _java(self, main: str, *args: str) -> list[str]:
        java = shutil.which("java")
        if java is None:
            raise KafkaError("a Java runtime (JDK 17) is needed to run the Kafka broker")
        return [
            java,
            "-Xms256m",
            "-Xmx512m",
            f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.properties'}",
            "-cp",
            f"{ensure_jars()}/*",
            main,
            *args,
        ]

    def start(self, timeout: float = 90.0) -> LocalKafka:
        config = self._write_config()
        if not (self.data_dir / "logs" / "meta.properties").exists():
            # "--cluster-id=" form: a random id may begin with "-", which would
            # otherwise be parsed as an option.
            formatted = subprocess.run(
                self._java(
                    "kafka.tools.StorageTool",
                    "format",
                    "--standalone",
                    f"--cluster-id={cluster_id()}",
                    "--config",
                    str(config),
                ),
                capture_output=True,
                text=True,
                timeout=120,
            )
            if formatted.returncode != 0:
                raise KafkaError(f"formatting the KRaft store failed: {formatted.stdout}{formatted.stderr}")
        log = (self.data_dir / "broker.log").open("ab")
        self.process = subprocess.Popen(
            self._java("kafka.Kafka", str(config)),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        from kafka import KafkaAdminClient

        from infra.fanout.clients import started

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise KafkaError(f"broker exited with {self.process.returncode}; see {self.data_dir / 'broker.log'}")
            try:
                admin = started(
                    KafkaAdminClient,
                    bootstrap_servers=self.bootstrap_servers,
                    request_timeout_ms=3000,
                    client_id="lorekeeper-probe",
                )
                try:
                    admin.list_topics()
                    return
                finally:
                    admin.close()
            except Exception:
                time.sleep(0.5)
        self.stop()
        raise KafkaError(f"broker did not answer within {timeout} s; see {self.data_dir / 'broker.log'}")

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM, a bounded wait for a clean shutdown, then SIGKILL."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def __enter__(self) -> LocalKafka:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
