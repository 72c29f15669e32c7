"""docker-compose.yml: parses, builds from files that exist, and carries the whole contract of
docs/contract.md §Settings.

No Docker engine runs here, so this reads the file the way `docker compose config` would.
"""

from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.localstack.kafka import PROJECT_ROOT
from shared.localstack.stack import SERVICE_PORTS

pytestmark = pytest.mark.unit

B1_VARIABLES = {
    "KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL", "HTTP_PORT", "TOPIC_PREFIX", "SLA_POLICY_FILE",
    "SMS_API_BASE", "SMS_ACCOUNT_SID", "SMS_AUTH_TOKEN", "SMS_FROM", "SMS_STATUS_CALLBACK_URL",
    "API_TOKENS_FILE", "FACEBOOK_APP_SECRET", "FACEBOOK_VERIFY_TOKEN",
}  # fmt: skip


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    return loaded


def test_names_every_service_with_a_healthcheck(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"kafka", "postgres", "devsms", *SERVICE_PORTS} <= set(services)
    for name, service in services.items():
        assert "healthcheck" in service, name


def test_services_wait_for_healthy_dependencies(compose: dict[str, Any]) -> None:
    for name in SERVICE_PORTS:
        depends = compose["services"][name]["depends_on"]
        for dependency in ("kafka", "postgres"):
            assert depends[dependency] == {"condition": "service_healthy"}, name


def test_build_contexts_and_dockerfiles_exist(compose: dict[str, Any]) -> None:
    builds = [service["build"] for service in compose["services"].values() if "build" in service]
    assert builds
    for build in builds:
        context = PROJECT_ROOT / build["context"]
        assert context.is_dir()
        assert (context / build.get("dockerfile", "Dockerfile")).is_file()


def test_every_service_gets_its_port_and_every_shared_setting(compose: dict[str, Any]) -> None:
    for name, port in SERVICE_PORTS.items():
        service = compose["services"][name]
        environment = service["environment"]
        assert set(environment) >= B1_VARIABLES, name
        assert environment["HTTP_PORT"] == str(port)
        assert f"{port}:{port}" in service["ports"]


def test_files_the_services_read_are_shipped(compose: dict[str, Any]) -> None:
    environment = compose["services"]["intake"]["environment"]
    for variable in ("SLA_POLICY_FILE", "API_TOKENS_FILE"):
        assert Path(PROJECT_ROOT / environment[variable]).is_file(), variable


def test_prometheus_and_grafana_mount_files_that_exist(compose: dict[str, Any]) -> None:
    for name in ("prometheus", "grafana"):
        for volume in compose["services"][name]["volumes"]:
            source = volume.split(":")[0]
            assert (PROJECT_ROOT / source).exists(), (name, source)


def test_prometheus_scrapes_every_service_at_its_compose_address(compose: dict[str, Any]) -> None:
    prometheus = compose["services"]["prometheus"]
    mounts = dict(volume.split(":")[:2] for volume in prometheus["volumes"])
    targets_dir = next(source for source, target in mounts.items() if target == "/etc/prometheus/targets")
    groups = [group for path in sorted((PROJECT_ROOT / targets_dir).glob("*.yml"))
              for group in yaml.safe_load(path.read_text())]  # fmt: skip
    scraped = {group["labels"]["job"]: group["targets"] for group in groups}
    assert scraped == {name: [f"{name}:{port}"] for name, port in SERVICE_PORTS.items()}
    assert set(prometheus["depends_on"]) >= set(SERVICE_PORTS)


def test_grafana_reads_the_prometheus_of_compose(compose: dict[str, Any]) -> None:
    grafana = compose["services"]["grafana"]
    mounts = dict(volume.split(":")[:2] for volume in grafana["volumes"])
    provisioning = next(source for source, target in mounts.items() if target == "/etc/grafana/provisioning")
    [source] = yaml.safe_load((PROJECT_ROOT / provisioning / "datasources" / "prometheus.yml").read_text())[
        "datasources"
    ]
    assert source["url"] == "http://prometheus:9090"
    assert "9090:9090" in compose["services"]["prometheus"]["ports"]
    [provider] = yaml.safe_load((PROJECT_ROOT / provisioning / "dashboards" / "complaints.yml").read_text())[
        "providers"
    ]
    assert provider["options"]["path"] in mounts.values()
    assert grafana["depends_on"]["prometheus"] == {"condition": "service_healthy"}
