"""Apache Kafka 4 in KRaft mode (one combined broker and controller on 127.0.0.1) from Maven jars."""

from __future__ import annotations

import base64
import os
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from shared.localstack.process import (
    ServerStartError,
    kill_now,
    pid_alive,
    port_open,
    read_pid,
    terminate,
    wait_until,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
POM = PROJECT_ROOT / "deploy" / "kafka" / "pom.xml"
KAFKA_VERSION = "4.1.1"  # keep equal to kafka.version in deploy/kafka/pom.xml

LOG4J2_YAML = """\
Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: STDOUT
    Logger:
      - name: kafka.server.KafkaServer
        level: INFO
"""


def cache_dir() -> Path:
    return Path(os.environ.get("COMPLAINTS_CACHE", Path.home() / ".cache" / "complaints"))


def ensure_jars() -> Path:
    """Gather the broker's jars with Maven once into the cache folder; return the folder."""
    libs = cache_dir() / f"kafka-{KAFKA_VERSION}" / "libs"
    marker = libs / ".complete"
    if marker.exists():
        return libs
    libs.mkdir(parents=True, exist_ok=True)
    command = [
        "mvn",
        "-q",
        "-B",
        "-f",
        str(POM),
        "dependency:copy-dependencies",
        f"-DoutputDirectory={libs}",
        "-DincludeScope=runtime",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ServerStartError(f"could not gather the Kafka jars with Maven:\n{result.stdout}{result.stderr}")
    marker.write_text(KAFKA_VERSION)
    return libs


@dataclass
class KafkaServer:
    """One KRaft node whose data, config and log live in ``run_dir``.

    ``start`` is safe to call twice (a live node is left alone) and ``stop`` sends SIGTERM and waits.
    """

    run_dir: Path
    port: int = 9092
    controller_port: int = 9093
    heap: str = "512m"
    partitions: int = 4
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.run_dir / "kafka.log"

    @property
    def pid_file(self) -> Path:
        return self.run_dir / "kafka.pid"

    def running(self) -> bool:
        pid = read_pid(self.pid_file)
        return pid is not None and pid_alive(pid)

    def start(self, timeout: float = 90.0) -> None:
        if self.running() and port_open(self.port):
            return
        libs = ensure_jars()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        config = self._write_config()
        classpath = f"{libs}/*"
        if not (self.run_dir / "data" / "meta.properties").exists():
            self._format(classpath, config)
        command = [
            "java",
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.run_dir / 'log4j2.yaml'}",
            "-cp",
            classpath,
            "kafka.Kafka",
            str(config),
        ]
        with self.log_file.open("ab") as log:
            self._process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.pid_file.write_text(str(self._process.pid))
        process = self._process
        wait_until(
            lambda: port_open(self.port),
            what=f"Kafka on port {self.port}",
            timeout=timeout,
            log=self.log_file,
            alive=lambda: process.poll() is None,
        )

    def stop(self, timeout: float = 60.0) -> None:
        pid = read_pid(self.pid_file)
        if pid is not None:
            terminate(pid, timeout=timeout)
        if self._process is not None:
            self._process.wait()
            self._process = None
        self.pid_file.unlink(missing_ok=True)

    def kill(self) -> None:
        """SIGKILL, for tests of a broker that dies."""
        pid = read_pid(self.pid_file)
        if pid is not None:
            kill_now(pid)
        self.stop()

    def _format(self, classpath: str, config: Path) -> None:
        command = [
            "java",
            "-cp",
            classpath,
            f"-Dlog4j2.configurationFile={self.run_dir / 'log4j2.yaml'}",
            "kafka.tools.StorageTool",
            "format",
            "--standalone",
            # One argument with '=': an id may begin with '-' (1 in 64), which the tool would take for a flag.
            f"--cluster-id={_cluster_id()}",
            f"--config={config}",
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise ServerStartError(f"kafka-storage format failed:\n{result.stdout}{result.stderr}")

    def _write_config(self) -> Path:
        (self.run_dir / "log4j2.yaml").write_text(LOG4J2_YAML)
        config = self.run_dir / "server.properties"
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
                    f"log.dirs={self.run_dir / 'data'}",
                    f"num.partitions={self.partitions}",
                    "auto.create.topics.enable=true",
                    "offsets.topic.replication.factor=1",
                    "offsets.topic.num.partitions=4",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    "log.retention.hours=168",
                    "",
                ]
            )
        )
        return config


def _cluster_id() -> str:
    # A KRaft cluster id is 16 random bytes in URL-safe base64 without padding.
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
