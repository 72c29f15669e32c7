"""Each service runs as its own process with health, readiness and Prometheus metrics."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from shared.localstack.process import wait_until
from shared.testing.servers import LocalServers, ServiceProcess

pytestmark = pytest.mark.e2e

SERVICES = ["intake", "routing", "sla", "notify"]
# The consumer groups each service runs: /readyz has a check for each.
GROUPS = {
    "intake": ["intake", "intake-case-status"],
    "routing": ["routing"],
    "sla": ["sla"],
    "notify": ["notify"],
}


@pytest.fixture(params=SERVICES)
def service(
    request: pytest.FixtureRequest, service_env: dict[str, str], tmp_path: Path
) -> Iterator[tuple[str, ServiceProcess]]:
    process = ServiceProcess(request.param, service_env, tmp_path / f"{request.param}.log")
    process.start()
    try:
        yield request.param, process
    finally:
        process.stop()


def test_service_is_healthy_ready_and_exposes_metrics(service: tuple[str, ServiceProcess]) -> None:
    name, process = service
    assert httpx.get(f"{process.url}/healthz").status_code == 200
    ready = httpx.get(f"{process.url}/readyz")
    assert ready.status_code == 200, ready.text
    consumers = {f"consumer:{group}": True for group in GROUPS[name]}
    assert ready.json()["checks"] == {"kafka": True, "postgres": True, **consumers}
    metrics = httpx.get(f"{process.url}/metrics")
    assert metrics.status_code == 200
    families = {family.name: family for family in text_string_to_metric_families(metrics.text)}
    assert "process_resident_memory_bytes" in families
    held = {sample.labels["group"] for sample in families["consumer_batch_held_seconds"].samples}
    assert held == set(GROUPS[name])


def test_readiness_follows_the_broker(isolated_servers: LocalServers, tmp_path: Path) -> None:
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": isolated_servers.kafka.bootstrap_servers,
        "DATABASE_URL": isolated_servers.new_database(),
        "TOPIC_PREFIX": "readiness.",
    }
    service = ServiceProcess("routing", env, tmp_path / "routing.log")
    service.start()

    def readyz_status() -> int:
        try:
            return httpx.get(f"{service.url}/readyz", timeout=10).status_code
        except httpx.HTTPError:
            return 0

    try:
        wait_until(lambda: readyz_status() == 200, what="ready", timeout=30, log=service.log_path)
        isolated_servers.kafka.kill()
        wait_until(lambda: readyz_status() == 503, what="not ready", timeout=60, log=service.log_path)
        isolated_servers.kafka.start()
        wait_until(lambda: readyz_status() == 200, what="ready again", timeout=90, log=service.log_path)
    finally:
        service.stop()
