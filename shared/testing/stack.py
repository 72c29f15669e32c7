"""The four services and the dev SMS gateway as real processes on free ports, for end-to-end runs.

Used by the chaos test and the end-to-end benchmark: each service can be SIGKILLed and started again
by name while the others run, against a broker and a cluster the caller owns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from shared.localstack.kafka import PROJECT_ROOT
from shared.testing.servers import ServiceProcess

SERVICES = ("intake", "routing", "sla", "notify")
DEMO_POLICY = PROJECT_ROOT / "deploy" / "sla-policy.demo.yaml"


@dataclass
class ServiceStack:
    """devsms, then intake, routing, sla and notify, all pointed at ``env`` (B1 variables).

    ``env`` needs ``KAFKA_BOOTSTRAP_SERVERS``, ``DATABASE_URL`` and ``TOPIC_PREFIX``; ``SMS_API_BASE``
    is set to the gateway started here, ``SLA_POLICY_FILE`` defaults to the demo policy (seconds).
    """

    env: Mapping[str, str]
    log_dir: Path
    processes: dict[str, ServiceProcess] = field(default_factory=dict)

    @property
    def gateway(self) -> ServiceProcess:
        return self.processes["devsms"]

    def url(self, name: str) -> str:
        return self.processes[name].url

    def start(self, timeout: float = 90.0) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        devsms = ServiceProcess("devsms", {}, self.log_dir / "devsms.log")
        self.processes["devsms"] = devsms
        devsms.start(timeout)
        env = {"SLA_POLICY_FILE": str(DEMO_POLICY), **self.env, "SMS_API_BASE": devsms.url}
        for name in SERVICES:
            self.processes[name] = ServiceProcess(name, env, self.log_dir / f"{name}.log")
        for name in SERVICES:
            self.processes[name].start(timeout)

    def kill(self, name: str) -> None:
        """SIGKILL one service: none of its shutdown code runs."""
        self.processes[name].kill()

    def restart(self, name: str, timeout: float = 90.0) -> None:
        """Start a killed or stopped service again, on the same port."""
        self.processes[name].stop()
        self.processes[name].start(timeout)

    def stop(self) -> None:
        for process in reversed(self.processes.values()):
            process.stop()
