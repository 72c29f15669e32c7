"""The four services and the dev SMS and Messenger gateways as real processes on free ports, for
end-to-end runs.

Used by the chaos test and the end-to-end benchmark: each service can be SIGKILLed and started again
by name while the others run, against a broker and a cluster the caller owns. Like ``make run``, the
stack supervises its services: one that exits on its own (not by :meth:`ServiceStack.kill`) is started
again, the way a service stuck on a Kafka client leaves to be restarted (``shared.messaging.offsets``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from shared.localstack.kafka import PROJECT_ROOT
from shared.testing.servers import ServiceProcess

log = logging.getLogger(__name__)
SERVICES = ("intake", "routing", "sla", "notify")
SUPERVISE_EVERY = 1.0  # seconds between two looks at the services' processes
DEMO_POLICY = PROJECT_ROOT / "deploy" / "sla-policy.demo.yaml"


@dataclass
class ServiceStack:
    """devsms, then intake, routing, sla and notify, all pointed at ``env`` (the variables of
    docs/contract.md §Settings).

    ``env`` needs ``KAFKA_BOOTSTRAP_SERVERS``, ``DATABASE_URL`` and ``TOPIC_PREFIX``; ``SMS_API_BASE``
    is set to the gateway started here, ``SLA_POLICY_FILE`` defaults to the demo policy (seconds).
    With ``replicas`` above 1 each service runs that many processes, each on its own HTTP port: the first
    named for the service (what :meth:`url`, :meth:`kill` and :meth:`restart` take), the others
    ``<service>-2`` and on.
    """

    env: Mapping[str, str]
    log_dir: Path
    replicas: int = 1
    processes: dict[str, ServiceProcess] = field(default_factory=dict)
    restarts: dict[str, int] = field(default_factory=dict)  # started again after exiting on their own
    _held: set[str] = field(default_factory=set)  # killed on purpose: left down until restart()
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def gateway(self) -> ServiceProcess:
        return self.processes["devsms"]

    @property
    def messenger(self) -> ServiceProcess:
        return self.processes["devmessenger"]

    def url(self, name: str) -> str:
        return self.processes[name].url

    def start(self, timeout: float = 90.0) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        devsms = ServiceProcess("devsms", {}, self.log_dir / "devsms.log")
        self.processes["devsms"] = devsms
        devsms.start(timeout)
        env = {"SLA_POLICY_FILE": str(DEMO_POLICY), **self.env, "SMS_API_BASE": devsms.url}
        for service in SERVICES:
            for name in self.replicas_of(service):
                self.processes[name] = ServiceProcess(
                    name, env, self.log_dir / f"{name}.log", service=service
                )
        # Its citizens write to this stack's (first) intake; the services send through it.
        devmessenger = ServiceProcess(
            "devmessenger", {"INTAKE_URL": self.url("intake")}, self.log_dir / "devmessenger.log"
        )
        self.processes["devmessenger"] = devmessenger
        devmessenger.start(timeout)
        for service in SERVICES:
            for name in self.replicas_of(service):
                self.processes[name].env = {**env, "FACEBOOK_GRAPH_API_BASE": f"{devmessenger.url}/v21.0"}
        for service in SERVICES:
            for name in self.replicas_of(service):
                self.processes[name].start(timeout)
        threading.Thread(target=self._supervise, name="service-stack-supervisor", daemon=True).start()

    def replicas_of(self, service: str) -> list[str]:
        """The process names of ``service``'s replicas."""
        return [service, *(f"{service}-{n}" for n in range(2, self.replicas + 1))]

    def kill(self, name: str) -> None:
        """SIGKILL one service: none of its shutdown code runs; it stays down until :meth:`restart`."""
        with self._lock:
            self._held.add(name)
            self.processes[name].kill()

    def restart(self, name: str, timeout: float = 90.0) -> None:
        """Start a killed or stopped service again, on the same port."""
        with self._lock:
            self.processes[name].stop()
            self.processes[name].start(timeout)
            self._held.discard(name)

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            for process in reversed(self.processes.values()):
                process.stop()

    def _supervise(self) -> None:
        while not self._stopping.wait(SUPERVISE_EVERY):
            with self._lock:
                if self._stopping.is_set():  # stop() went first: what it stopped stays stopped
                    return
                for name in (name for name in self.processes if name != "devsms"):
                    service = self.processes[name]
                    if name in self._held or service.process is None or service.process.poll() is None:
                        continue
                    log.warning(
                        "%s exited with %s on its own; starting it again", name, service.process.returncode
                    )
                    self.restarts[name] = self.restarts.get(name, 0) + 1
                    try:
                        service.start()
                    except Exception:
                        service.kill()  # not healthy in time: the next look starts it once more
                        log.exception("%s did not start again", name)
