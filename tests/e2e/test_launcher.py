"""`make up` / `make down`: every service ready with parseable metrics, then nothing left behind.

This test binds the ports of docs/contract.md §Settings (Kafka 9092, PostgreSQL 5432, services 8001-8004,
SMS 8025, Messenger 8026) and Prometheus's 9090 (`PROMETHEUS=1`): run it with no other stack up on this
machine.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from shared.localstack.kafka import PROJECT_ROOT
from shared.localstack.process import port_open
from shared.localstack.prometheus import PORT as PROMETHEUS_PORT
from shared.localstack.stack import DEVMESSENGER_PORT, DEVSMS_PORT, SERVICE_PORTS

pytestmark = pytest.mark.e2e

STACK_PORTS = [*SERVICE_PORTS.values(), DEVSMS_PORT, DEVMESSENGER_PORT, 9092, 9093, 5432, PROMETHEUS_PORT]


def launcher(command: str, run_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL"}
    }
    env["COMPLAINTS_RUN_DIR"] = str(run_dir)
    env["PROMETHEUS"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "shared.localstack", command],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def stack_pids(run_dir: Path) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes()
            except OSError:
                continue
            if str(run_dir).encode() in cmdline:
                found.append(int(proc.name))
    return found


def service_pid(run_dir: Path, name: str) -> int | None:
    """The pid of the launcher's ``python -m services.<name>`` for this run directory."""
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline, environ = (proc / "cmdline").read_bytes(), (proc / "environ").read_bytes()
            except OSError:
                continue
            if f"services.{name}".encode() in cmdline and str(run_dir).encode() in environ:
                return int(proc.name)
    return None


def restarted(run_dir: Path, name: str, port: int, old_pid: int) -> bool:
    """True once another process of ``name`` answers ``/readyz`` (bounded: 120 s)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        pid = service_pid(run_dir, name)
        if pid not in (None, old_pid):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
        time.sleep(0.5)
    return False


def scraped(jobs: set[str]) -> bool:
    """True once the local Prometheus reports each of ``jobs`` up (bounded: 90 s; it scrapes every 15 s)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        targets = httpx.get(f"http://127.0.0.1:{PROMETHEUS_PORT}/api/v1/targets", timeout=5).json()
        if {t["labels"]["job"] for t in targets["data"]["activeTargets"] if t["health"] == "up"} == jobs:
            return True
        time.sleep(1)
    return False


def test_up_then_down_leaves_nothing_running(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    busy = [port for port in STACK_PORTS if port_open(port)]
    assert not busy, f"ports of the stack already bound: {busy} (is a stack up? make down)"
    try:
        started = launcher("up", run_dir)
        assert started.returncode == 0, started.stdout + started.stderr
        for port in SERVICE_PORTS.values():
            ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
            assert ready.status_code == 200, ready.text
            families = list(
                text_string_to_metric_families(httpx.get(f"http://127.0.0.1:{port}/metrics").text)
            )
            assert families
        assert httpx.get(f"http://127.0.0.1:{DEVSMS_PORT}/messages").json() == []
        # PROMETHEUS=1: a Prometheus with deploy/prometheus scrapes every service, and the banner says where.
        assert f"Prometheus http://127.0.0.1:{PROMETHEUS_PORT}" in (run_dir / "stack.log").read_text()
        assert scraped(set(SERVICE_PORTS))

        # The launcher supervises: a service that dies is started again.
        intake = service_pid(run_dir, "intake")
        assert intake is not None
        os.kill(intake, signal.SIGKILL)
        assert restarted(run_dir, "intake", SERVICE_PORTS["intake"], intake)
        assert "intake exited with -9; restarting it" in (run_dir / "stack.log").read_text()
    finally:
        stopped = launcher("down", run_dir)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert [port for port in STACK_PORTS if port_open(port)] == []
    assert stack_pids(run_dir) == []
