"""A local Prometheus server: Debian's ``prometheus`` binary with the project's configuration and rules.

``PROMETHEUS=1 make run`` starts one on 127.0.0.1:9090 with ``deploy/prometheus/prometheus.yml`` (which
reads the rules and targets beside it); the end-to-end tests start one on a free port with a configuration
they write. Its data and log live in ``run_dir``.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from shared.localstack.kafka import PROJECT_ROOT
from shared.localstack.process import ServerStartError, http_ok, pid_alive, read_pid, terminate, wait_until

PROMETHEUS_DIR = PROJECT_ROOT / "deploy" / "prometheus"
CONFIG = PROMETHEUS_DIR / "prometheus.yml"
PORT = 9090


def prometheus_binary() -> str:
    """The ``prometheus`` program on PATH; a start error naming the package when there is none."""
    found = shutil.which("prometheus")
    if found is None:
        raise ServerStartError("no prometheus program: install Debian's package (make install does)")
    return found


@dataclass
class PrometheusServer:
    """One Prometheus reading ``config`` and serving on 127.0.0.1:``port``; ``stop`` waits for it to end."""

    run_dir: Path
    config: Path = CONFIG
    port: int = PORT
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.run_dir / "prometheus.log"

    @property
    def pid_file(self) -> Path:
        return self.run_dir / "prometheus.pid"

    def start(self, timeout: float = 60.0) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        command = [
            prometheus_binary(),
            f"--config.file={self.config}",
            f"--storage.tsdb.path={self.run_dir / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--web.enable-lifecycle",  # POST /-/reload after an edit of the rules
        ]
        with self.log_file.open("ab") as log:
            self._process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
        self.pid_file.write_text(str(self._process.pid))
        process = self._process
        wait_until(
            partial(http_ok, f"{self.url}/-/ready"),
            what=f"Prometheus on port {self.port}",
            timeout=timeout,
            log=self.log_file,
            alive=lambda: process.poll() is None,
        )

    def stop(self, timeout: float = 30.0) -> None:
        pid = read_pid(self.pid_file)
        if pid is not None and pid_alive(pid):
            terminate(pid, timeout=timeout)
        if self._process is not None:
            self._process.wait()
            self._process = None
        self.pid_file.unlink(missing_ok=True)
