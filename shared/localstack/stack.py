"""The whole stack on one machine: local Kafka and PostgreSQL (unless given), the services, the SMS and
Messenger gateways.

``run`` is the foreground mode (``make run``); ``up`` starts ``run`` in the background and waits until
every service is ready (``make up``); ``down`` stops either (``make down``). With ``PROMETHEUS=1`` a local
Prometheus scrapes the services too (deploy/prometheus/, docs/runbook.md).

``run`` stops everything it started on Ctrl-C, SIGTERM, SIGHUP (its terminal closed) or when its output
goes away (``make run | tee log`` and the reader ended); a child whose launcher died anyway stops too
(children.py), and ``down`` stops the children recorded in the run directory.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from shared.localstack.children import Output, dies_with_this_process, pid_file, stop_recorded
from shared.localstack.kafka import PROJECT_ROOT, KafkaServer
from shared.localstack.postgres import PostgresServer
from shared.localstack.process import (
    ServerStartError,
    http_ok,
    pid_alive,
    port_open,
    read_pid,
    terminate,
    wait_until,
)
from shared.localstack.prometheus import PrometheusServer

SERVICE_PORTS = {"intake": 8001, "routing": 8002, "sla": 8003, "notify": 8004}
DEVSMS_PORT = 8025
DEVMESSENGER_PORT = 8026
GATEWAYS = frozenset({"devsms", "devmessenger"})  # ready when /healthz answers (they have no /readyz)
# Every child the launcher may start and record in the run directory: what `make down` looks for when a
# launcher died without stopping them.
CHILDREN = ("devsms", "devmessenger", *SERVICE_PORTS)
CRASH_LOOP_EXITS, CRASH_LOOP_WINDOW = 5, 60.0  # more exits than this within the window stop the stack
# The variables of docs/contract.md §Settings an operator may set; HTTP_PORT is always the launcher's,
# per service.
PASSED_THROUGH = (
    "KAFKA_BOOTSTRAP_SERVERS",
    "DATABASE_URL",
    "TOPIC_PREFIX",
    "DATABASE_POOL_SIZE",
    "CONSUMER_STUCK_AFTER_SECONDS",
    "SLA_POLICY_FILE",
    "SMS_API_BASE",
    "SMS_ACCOUNT_SID",
    "SMS_AUTH_TOKEN",
    "SMS_FROM",
    "SMS_STATUS_CALLBACK_URL",
    "API_TOKENS_FILE",
    "FACEBOOK_APP_SECRET",
    "FACEBOOK_VERIFY_TOKEN",
    "FACEBOOK_GRAPH_API_BASE",
    "FACEBOOK_PAGE_ACCESS_TOKEN",
    "FACEBOOK_PAGE_ID",
    "LOG_LEVEL",
    "COMPLAINTS_DEV",
    "PERSONAL_DATA_KEY",
)


def default_run_dir() -> Path:
    return Path(os.environ.get("COMPLAINTS_RUN_DIR", PROJECT_ROOT / ".run"))


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    env: Mapping[str, str]
    exits: list[float] = field(default_factory=list)  # monotonic times of its recent exits


@dataclass
class Stack:
    run_dir: Path
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    kafka: KafkaServer | None = None
    postgres: PostgresServer | None = None
    prometheus: PrometheusServer | None = None
    children: list[Child] = field(default_factory=list)
    output: Output = field(default_factory=lambda: Output(lambda: None))

    def start(self) -> dict[str, str]:
        """Start what is not given, then the services; return the environment the services got."""
        env = {key: self.environ[key] for key in PASSED_THROUGH if self.environ.get(key)}
        # A local stack is a dev stack: its services run on the dev tokens and secrets unless told otherwise.
        env.setdefault("COMPLAINTS_DEV", "1")
        env["KAFKA_BOOTSTRAP_SERVERS"] = self._kafka(env.get("KAFKA_BOOTSTRAP_SERVERS"))
        env["DATABASE_URL"] = self._postgres(env.get("DATABASE_URL"))
        if "SMS_API_BASE" not in env:
            env["SMS_API_BASE"] = f"http://127.0.0.1:{DEVSMS_PORT}"
            self._spawn("devsms", DEVSMS_PORT, {**env, "DEVSMS_PORT": str(DEVSMS_PORT)})
        if "FACEBOOK_GRAPH_API_BASE" not in env:
            env["FACEBOOK_GRAPH_API_BASE"] = f"http://127.0.0.1:{DEVMESSENGER_PORT}/v21.0"
            intake = f"http://127.0.0.1:{SERVICE_PORTS['intake']}"
            gateway_env = {"DEVMESSENGER_PORT": str(DEVMESSENGER_PORT), "INTAKE_URL": intake}
            self._spawn("devmessenger", DEVMESSENGER_PORT, {**env, **gateway_env})
        for name, port in SERVICE_PORTS.items():
            self._spawn(name, port, {**env, "HTTP_PORT": str(port)})
        for child in self.children:
            path = "/healthz" if child.name in GATEWAYS else "/readyz"
            wait_until(
                partial(http_ok, f"http://127.0.0.1:{child.port}{path}"),
                what=f"{child.name} on {child.port}",
                timeout=90,
                log=self.run_dir / f"{child.name}.log",
                alive=partial(_alive, child.process),
            )
        if self.environ.get("PROMETHEUS") == "1":
            self._prometheus()
        return env

    def stop(self) -> None:
        if self.prometheus is not None:
            self.prometheus.stop()
        for child in reversed(self.children):
            terminate(child.process.pid, timeout=20)
            child.process.wait()
            pid_file(self.run_dir, child.name).unlink(missing_ok=True)
        self.children.clear()
        if self.kafka is not None:
            self.kafka.stop()
        if self.postgres is not None:
            self.postgres.stop()

    def _kafka(self, given: str | None) -> str:
        if given and _reachable(given.split(",")[0]):
            return given
        port = int(given.rsplit(":", 1)[1]) if given else 9092
        self.kafka = KafkaServer(self.run_dir / "kafka", port=port, controller_port=port + 1)
        self.kafka.start()
        return self.kafka.bootstrap_servers

    def _postgres(self, given: str | None) -> str:
        if given and _reachable(f"{urlsplit(given).hostname}:{urlsplit(given).port or 5432}"):
            return given
        parts = urlsplit(given or "postgresql://postgres@127.0.0.1:5432/complaints")
        self.postgres = PostgresServer(
            self.run_dir / "postgres",
            port=parts.port or 5432,
            database=parts.path.lstrip("/") or "complaints",
        )
        self.postgres.start()
        return self.postgres.url()

    def _prometheus(self) -> None:
        self.prometheus = PrometheusServer(self.run_dir / "prometheus")
        if port_open(self.prometheus.port):
            raise ServerStartError(f"port {self.prometheus.port} for Prometheus is taken")
        self.prometheus.start()

    def respawn(self, child: Child) -> None:
        """Start an exited child again, with the environment it had, in the same place in the list."""
        child.process = self._popen(child.name, child.env)

    def _spawn(self, name: str, port: int, env: Mapping[str, str]) -> None:
        if port_open(port):
            raise ServerStartError(f"port {port} for {name} is taken: is the stack already up? (make down)")
        self.children.append(Child(name, self._popen(name, env), port, env))

    def _popen(self, name: str, env: Mapping[str, str]) -> subprocess.Popen[bytes]:
        log = (self.run_dir / f"{name}.log").open("ab")
        # A session of its own: the terminal's Ctrl-C and hang-up reach the launcher alone, which stops the
        # children in order; the tie to the launcher's life stops them should it die without doing so.
        process = subprocess.Popen(
            [sys.executable, "-m", f"services.{name}"],
            env={**os.environ, **env},
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=dies_with_this_process(),  # noqa: PLW1509 (only a prctl call, looked up before)
        )
        pid_file(self.run_dir, name).write_text(f"{process.pid}\n")
        assert process.stdout is not None
        relay = threading.Thread(target=self.output.relay, args=(name, process.stdout, log), daemon=True)
        relay.start()
        return process


def _alive(process: subprocess.Popen[bytes]) -> bool:
    return process.poll() is None


def _reachable(host_port: str) -> bool:
    host, _, port = host_port.rpartition(":")
    return bool(port) and port_open(int(port), host or "127.0.0.1")


class _StopWhileStartingError(Exception):
    """A stop asked for while the stack was still starting."""


def run(run_dir: Path) -> None:
    """Foreground: start everything, print where to look, and stop everything on Ctrl-C, SIGTERM, SIGHUP,
    or when standard output goes away."""
    run_dir.mkdir(parents=True, exist_ok=True)
    stopping = threading.Event()
    output = Output(stopping.set)
    stack = Stack(run_dir, output=output)
    starting = True

    def stop(*_: object) -> None:
        stopping.set()
        if starting:  # waiting for a child to be ready can take a minute: give it up now
            raise _StopWhileStartingError

    # SIGPIPE stays ignored, as Python leaves it: a write to a broken pipe fails with EPIPE, which Output
    # turns into a stop.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    launcher_pid = run_dir / "launcher.pid"  # `make up` wrote it already; `make run` records itself
    running = read_pid(launcher_pid)
    if running not in (None, os.getpid()) and pid_alive(running):
        raise ServerStartError(f"a stack runs from {run_dir} already (launcher pid {running}): make down")
    launcher_pid.write_text(f"{os.getpid()}\n")
    try:
        env = stack.start()
        starting = False
        output.say(_banner(env, stack.prometheus))
        (run_dir / "ready").write_text("ready\n")
        while not stopping.wait(1.0):
            for child in stack.children:
                if child.process.poll() is None:
                    continue
                # A supervisor: a service that crashed (or left because a client of it was stuck for good)
                # is started again, and Kafka hands it back what it had not committed. One that keeps
                # dying (bad settings, a server gone) stops the stack instead, as before.
                child.exits = [t for t in child.exits if t > time.monotonic() - CRASH_LOOP_WINDOW]
                child.exits.append(time.monotonic())
                code = child.process.returncode
                if len(child.exits) > CRASH_LOOP_EXITS:
                    output.say(f"launcher| {child.name} exited with {code}, {len(child.exits)} times in "
                               f"{CRASH_LOOP_WINDOW:g} s: stopping")  # fmt: skip
                    stopping.set()
                    break
                output.say(f"launcher| {child.name} exited with {code}; restarting it")
                stack.respawn(child)
    except _StopWhileStartingError:
        pass
    finally:
        starting = False
        # A second signal while stopping must not cut the stop short.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        (run_dir / "ready").unlink(missing_ok=True)
        output.say("launcher| stopping")
        stack.stop()
        output.say("launcher| stopped")
        if read_pid(launcher_pid) == os.getpid():
            launcher_pid.unlink(missing_ok=True)


def up(run_dir: Path, timeout: float = 300.0) -> None:
    """Background: start :func:`run` detached and wait until it says every service is ready."""
    run_dir.mkdir(parents=True, exist_ok=True)
    pid_file = run_dir / "launcher.pid"
    pid = read_pid(pid_file)
    if pid is not None and pid_alive(pid):
        print(f"already up (launcher pid {pid})")
        return
    (run_dir / "ready").unlink(missing_ok=True)
    log = (run_dir / "stack.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "shared.localstack", "run"],
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    pid_file.write_text(str(process.pid))
    wait_until(
        (run_dir / "ready").exists,
        what="the stack",
        timeout=timeout,
        log=run_dir / "stack.log",
        alive=lambda: process.poll() is None,
    )
    print(f"up (launcher pid {process.pid}); logs in {run_dir}; stop with make down")


def down(run_dir: Path) -> None:
    """Stop a stack started by :func:`up` or :func:`run`; also clean up children and servers a launcher
    that died left behind."""
    pid = read_pid(run_dir / "launcher.pid")
    if pid is not None:
        terminate(pid, timeout=120)
    (run_dir / "launcher.pid").unlink(missing_ok=True)
    left = stop_recorded(run_dir, list(CHILDREN))
    if left:
        print(f"stopped {', '.join(left)}, left running by a launcher that died")
    KafkaServer(run_dir / "kafka").stop()
    PostgresServer(run_dir / "postgres").stop()
    PrometheusServer(run_dir / "prometheus").stop()
    print("down")


def _banner(env: Mapping[str, str], prometheus: PrometheusServer | None = None) -> str:
    lines = ["", "launcher| the stack is ready:"]
    for name, port in SERVICE_PORTS.items():
        lines.append(f"launcher|   {name:<8} http://127.0.0.1:{port}  (/readyz /metrics /docs)")
    lines.append(f"launcher|   SMS      {env['SMS_API_BASE']}/")
    lines.append(f"launcher|   Messenger {env['FACEBOOK_GRAPH_API_BASE']}  (the dev gateway's page: its /)")
    lines.append(f"launcher|   Kafka    {env['KAFKA_BOOTSTRAP_SERVERS']}")
    lines.append(f"launcher|   Postgres {env['DATABASE_URL']}")
    lines.append(f"launcher|   SLA      {env.get('SLA_POLICY_FILE') or 'deploy/sla-policy.yaml'}")
    if prometheus is not None:
        lines.append(f"launcher|   Prometheus {prometheus.url}  (/alerts /targets; deploy/prometheus)")
    lines.append("launcher| try: .venv/bin/python -m cli demo   (or cli file, cli follow, cli timeline REF)")
    lines.append("launcher| Ctrl-C stops everything")
    return "\n".join(lines)
