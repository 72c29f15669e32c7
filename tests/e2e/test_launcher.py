"""`make up` / `make down`: every service ready with parseable metrics, then nothing left behind.

This test binds the ports of DESIGN.md B1 (Kafka 9092, PostgreSQL 5432, services 8001-8004, SMS 8025):
run it with no other stack up on this machine.
"""

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from shared.localstack.kafka import PROJECT_ROOT
from shared.localstack.process import port_open
from shared.localstack.stack import DEVSMS_PORT, SERVICE_PORTS

pytestmark = pytest.mark.e2e

STACK_PORTS = [*SERVICE_PORTS.values(), DEVSMS_PORT, 9092, 9093, 5432]


def launcher(command: str, run_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL"}
    }
    env["COMPLAINTS_RUN_DIR"] = str(run_dir)
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
    finally:
        stopped = launcher("down", run_dir)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert [port for port in STACK_PORTS if port_open(port)] == []
    assert stack_pids(run_dir) == []
