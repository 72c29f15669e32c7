"""Real Kafka and PostgreSQL for tests, and services started as real processes."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from shared.localstack import KafkaServer, PostgresServer, free_port
from shared.localstack.kafka import PROJECT_ROOT
from shared.localstack.process import http_ok, terminate, wait_until


@dataclass
class LocalServers:
    """One Kafka broker and one PostgreSQL cluster in ``root``, on free ports."""

    root: Path
    kafka: KafkaServer = field(init=False)
    postgres: PostgresServer = field(init=False)

    def __post_init__(self) -> None:
        self.kafka = KafkaServer(self.root / "kafka", port=free_port(), controller_port=free_port())
        self.postgres = PostgresServer(self.root / "postgres", port=free_port(), database="postgres")

    def start(self) -> None:
        with ThreadPoolExecutor(2) as pool:
            for future in [pool.submit(self.kafka.start), pool.submit(self.postgres.start)]:
                future.result()

    def stop(self) -> None:
        with ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(self.kafka.stop), pool.submit(self.postgres.stop)]
            for future in futures:
                future.result()

    def new_database(self) -> str:
        """A fresh, empty database for one test; its URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.postgres.create_database(name)
        return self.postgres.url(name)


def new_topic_prefix() -> str:
    return f"t{uuid.uuid4().hex[:10]}."


# Tests run services in dev mode (docs/contract.md §Settings, COMPLAINTS_DEV): the dev tokens and secrets.
DEV_MODE = {"COMPLAINTS_DEV": "1"}
# For runs that file many complaints over HTTP from one address, often naming one phone (load, chaos): the
# complaint budgets (docs/contract.md §Privacy budgets) would refuse all but the first few.
UNBOUNDED_COMPLAINTS = {
    "COMPLAINTS_PER_PHONE_PER_HOUR": "1000000000",
    "COMPLAINTS_PER_IP_PER_HOUR": "1000000000",
}


def dev_service_env(servers: LocalServers) -> dict[str, str]:
    """The environment of a service in dev mode on ``servers``, with its own topics and a fresh database."""
    return {
        "KAFKA_BOOTSTRAP_SERVERS": servers.kafka.bootstrap_servers,
        "DATABASE_URL": servers.new_database(),
        "TOPIC_PREFIX": new_topic_prefix(),
        **DEV_MODE,
    }


@dataclass
class ServiceProcess:
    """A service started as ``python -m services.<name>``, the way the launcher starts it."""

    name: str
    env: Mapping[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    service: str | None = None  # the service it runs when its name is a replica's (intake-2); else name

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        with self.log_path.open("ab") as log:  # the child keeps its own handle
            self.process = subprocess.Popen(
                [sys.executable, "-m", f"services.{self.service or self.name}"],
                env={**os.environ, **DEV_MODE, **self.env, "HTTP_PORT": str(self.port)},
                cwd=PROJECT_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        process = self.process
        wait_until(
            lambda: http_ok(f"{self.url}/healthz"),
            what=self.name,
            timeout=timeout,
            log=self.log_path,
            alive=lambda: process.poll() is None,
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            terminate(self.process.pid, timeout=20)
            self.process.wait()

    def kill(self) -> None:
        """SIGKILL: no shutdown code of the service runs."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
