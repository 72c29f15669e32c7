"""`make run` however it ends: a closed terminal (SIGHUP), a broken output pipe and Ctrl-C, the launcher
killed outright, or `make down` from elsewhere; each time every service and both dev gateways (SMS and
Messenger) are gone and their ports are free for the next `make run`. `make down` also stops what a
launcher that died without stopping them left behind.

The launcher runs against this session's Kafka and PostgreSQL (given, so it starts neither) with its
service ports moved to free ones, so that the test runs beside another stack on the same machine.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest

from shared.localstack.children import pid_file
from shared.localstack.kafka import PROJECT_ROOT
from shared.localstack.process import free_port, pid_alive, port_open
from shared.localstack.stack import CHILDREN
from shared.testing.servers import DEV_MODE, LocalServers, new_topic_prefix

pytestmark = pytest.mark.e2e

NAMES = ("devsms", "devmessenger", "intake", "routing", "sla", "notify")
# `python -m shared.localstack COMMAND` with the ports of the first argument.
LAUNCHER = """
import json, sys
import shared.localstack.stack as stack
ports = json.loads(sys.argv[1])
stack.DEVSMS_PORT = ports.pop("devsms")
stack.DEVMESSENGER_PORT = ports.pop("devmessenger")
stack.SERVICE_PORTS.update(ports)
from shared.localstack.__main__ import main
sys.argv = ["shared.localstack", sys.argv[2]]
raise SystemExit(main())
"""


class Terminal:
    """The reading end of the launcher's standard output: read as a terminal would, until it is closed."""

    def __init__(self) -> None:
        self.read_fd, self.write_fd = os.pipe()
        self.received = bytearray()
        self._closing = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while not self._closing.is_set():
            if select.select([self.read_fd], [], [], 0.1)[0]:
                chunk = os.read(self.read_fd, 65536)
                if not chunk:
                    return
                self.received += chunk

    def close(self) -> None:
        """Go away, the way `tee` does when it is interrupted: the launcher's next write breaks."""
        if self._closing.is_set():
            return
        self._closing.set()
        self._reader.join()
        os.close(self.read_fd)


@dataclass
class Launched:
    process: subprocess.Popen[bytes]
    run_dir: Path
    ports: dict[str, int]
    env: dict[str, str]
    terminal: Terminal

    def children(self) -> dict[str, int]:
        """The services and gateway of this run directory that run now, by name."""
        found = {}
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                cmdline, environ = (proc / "cmdline").read_bytes(), (proc / "environ").read_bytes()
            except OSError:
                continue
            for name in NAMES:
                if (
                    f"services.{name}".encode() in cmdline.split(b"\0")
                    and str(self.run_dir).encode() in environ
                ):
                    found[name] = int(proc.name)
        return found

    def command(self, name: str) -> subprocess.CompletedProcess[str]:
        return launcher_command(name, self.ports, self.env)


def launcher_command(
    name: str, ports: dict[str, int], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LAUNCHER, json.dumps(ports), name],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip


def launcher_env(servers: LocalServers, run_dir: Path) -> dict[str, str]:
    """This session's Kafka and PostgreSQL, a database and topics of the test's own, no Prometheus."""
    env = {
        **os.environ,
        "COMPLAINTS_RUN_DIR": str(run_dir),
        "KAFKA_BOOTSTRAP_SERVERS": servers.kafka.bootstrap_servers,
        "DATABASE_URL": servers.new_database(),
        "TOPIC_PREFIX": new_topic_prefix(),
    }
    env.pop("PROMETHEUS", None)
    return env


@pytest.fixture
def launched(servers: LocalServers, tmp_path: Path) -> Iterator[Launched]:
    run_dir = tmp_path / "run"
    ports = {name: free_port() for name in NAMES}
    env = launcher_env(servers, run_dir)
    terminal = Terminal()
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, json.dumps(ports), "run"],
        cwd=PROJECT_ROOT, env=env, stdout=terminal.write_fd, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    os.close(terminal.write_fd)  # the launcher holds the only writing end
    launched = Launched(process, run_dir, ports, env, terminal)
    try:
        assert _within(180, lambda: (run_dir / "ready").exists() or process.poll() is not None)
        assert process.poll() is None, terminal.received.decode(errors="replace")[-3000:]
        assert set(launched.children()) == set(NAMES)
        # Every child the launcher records is one `make down` looks for should the launcher die.
        assert {path.stem for path in run_dir.glob("*.pid")} == {"launcher", *CHILDREN}
        yield launched
    finally:
        # Whatever the test did, nothing of it is left for the next test.
        if process.poll() is None:
            process.kill()
        for pid in launched.children().values():
            os.kill(pid, signal.SIGKILL)
        terminal.close()


def _within(seconds: float, check: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def _listening(process: subprocess.Popen[bytes], port: int) -> bool:
    """True once ``port`` is bound; raises once ``process`` has exited, as it will never bind it then."""
    if process.poll() is not None:
        raise AssertionError(f"exited with {process.returncode}")
    return port_open(port)


def _all_gone(launched: Launched) -> None:
    assert _within(90, lambda: not launched.children()), f"left running: {launched.children()}"
    busy = [name for name, port in launched.ports.items() if port_open(port)]
    assert busy == [], f"ports still bound: {busy}"


def test_a_closed_terminal_stops_every_service(launched: Launched) -> None:
    os.kill(launched.process.pid, signal.SIGHUP)
    assert launched.process.wait(timeout=120) == 0
    assert b"launcher| stopped" in launched.terminal.received
    _all_gone(launched)


def test_a_broken_output_pipe_then_ctrl_c_stops_every_service(launched: Launched) -> None:
    # `make run | tee log`, then Ctrl-C: tee is gone, and the launcher gets SIGINT with nowhere to write.
    launched.terminal.close()
    os.kill(launched.process.pid, signal.SIGINT)
    assert launched.process.wait(timeout=120) == 0
    _all_gone(launched)


def test_a_broken_output_pipe_alone_stops_every_service(launched: Launched) -> None:
    # The reader went away and nobody is left to press Ctrl-C: the next line the launcher relays meets
    # the closed pipe. A service's /readyz prints nothing, so make one say something: restart one.
    launched.terminal.close()
    os.kill(launched.children()["routing"], signal.SIGKILL)
    assert launched.process.wait(timeout=120) == 0
    _all_gone(launched)


def test_a_killed_launcher_takes_its_services_with_it(launched: Launched) -> None:
    os.kill(launched.process.pid, signal.SIGKILL)
    launched.process.wait(timeout=30)
    _all_gone(launched)


def test_make_down_stops_what_make_run_started(launched: Launched) -> None:
    children = launched.children()
    down = launched.command("down")
    assert down.returncode == 0, down.stdout + down.stderr
    assert launched.process.wait(timeout=30) == 0
    assert not any(pid_alive(pid) for pid in children.values())
    _all_gone(launched)
    assert not list(launched.run_dir.glob("*.pid"))


def test_make_down_stops_what_a_dead_launcher_left(servers: LocalServers, tmp_path: Path) -> None:
    # A launcher that died where its children's tie to it could not act (off Linux, or killed while
    # starting them) leaves them running with their pids recorded; `make down` stops each of them.
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    ports = {name: free_port() for name in NAMES}
    env = launcher_env(servers, run_dir)
    left: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, port in ports.items():
            left[name] = subprocess.Popen(
                [sys.executable, "-m", f"services.{name}"], cwd=PROJECT_ROOT,
                env={**env, **DEV_MODE, "HTTP_PORT": str(port)}, stdout=(run_dir / f"{name}.log").open("ab"),
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
            pid_file(run_dir, name).write_text(f"{left[name].pid}\n")
        for name, port in ports.items():
            assert _within(90, partial(_listening, left[name], port)), (run_dir / f"{name}.log").read_text()
        down = launcher_command("down", ports, env)
        assert down.returncode == 0, down.stdout + down.stderr
        assert f"stopped {', '.join(CHILDREN)}, left running" in down.stdout
        for process in left.values():
            process.wait(timeout=30)
        assert [name for name, port in ports.items() if port_open(port)] == []
        assert not list(run_dir.glob("*.pid"))
    finally:
        for process in left.values():
            if process.poll() is None:
                process.kill()
                process.wait()
