"""A throwaway PostgreSQL 15 cluster from the machine's server binaries (``initdb`` + ``pg_ctl``)."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from shared.localstack.process import ServerStartError, log_tail, port_open, wait_until

SERVER_USER = "postgres"  # initdb refuses to run as root, so root runs the cluster as this user


def bin_dir() -> Path:
    """Where ``initdb`` and ``pg_ctl`` live: ``PG_BIN`` or Debian's PostgreSQL 15 folder."""
    configured = os.environ.get("PG_BIN")
    if configured:
        return Path(configured)
    debian = Path("/usr/lib/postgresql/15/bin")
    if (debian / "initdb").exists():
        return debian
    found = shutil.which("initdb")
    if found is None:
        raise ServerStartError("PostgreSQL server binaries not found: install postgresql-15 or set PG_BIN")
    return Path(found).parent


@dataclass
class PostgresServer:
    """A cluster in ``run_dir`` listening on 127.0.0.1:``port`` with trust auth for ``postgres``."""

    run_dir: Path
    port: int = 5432
    database: str = "complaints"

    @property
    def data_dir(self) -> Path:
        return self.run_dir / "pgdata"

    @property
    def log_file(self) -> Path:
        return self.run_dir / "postgres.log"

    def url(self, database: str | None = None) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database or self.database}"

    def running(self) -> bool:
        if not self.data_dir.exists():
            return False
        return self._run("pg_ctl", "status", "-D", str(self.data_dir)).returncode == 0

    def start(self, timeout: float = 60.0) -> None:
        """initdb when the cluster is new, start it, create the database. Safe to call twice."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self._hand_over(self.run_dir)
        if not (self.data_dir / "PG_VERSION").exists():
            result = self._run(
                "initdb",
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-instructions",
            )
            if result.returncode != 0:
                raise ServerStartError(f"initdb failed:\n{result.stdout}{result.stderr}")
        if not self.running():
            options = (
                f"-p {self.port} -k {self.run_dir} -c listen_addresses=127.0.0.1 "
                "-c max_connections=200 -c shared_buffers=256MB"
            )
            result = self._run(
                "pg_ctl",
                "start",
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
                "-o",
                options,
                "-w",
                "-t",
                str(int(timeout)),
            )
            if result.returncode != 0:
                raise ServerStartError(
                    f"pg_ctl start failed:\n{result.stdout}{result.stderr}\n{log_tail(self.log_file)}"
                )
        wait_until(
            lambda: port_open(self.port),
            what=f"PostgreSQL on {self.port}",
            timeout=timeout,
            log=self.log_file,
        )
        self.create_database(self.database)

    def create_database(self, name: str) -> None:
        exists = self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
        if exists.stdout.strip() != "1":
            result = self._psql(f'CREATE DATABASE "{name}"')
            if result.returncode != 0 and "already exists" not in result.stderr:
                raise ServerStartError(f"could not create database {name}: {result.stderr}")

    def stop(self, timeout: float = 60.0) -> None:
        """A fast shutdown (in-flight transactions roll back), waiting for it to finish."""
        if self.running():
            self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", str(int(timeout)))

    def kill(self) -> None:
        """An immediate shutdown, the way a crash looks to clients."""
        if self.running():
            self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", "immediate", "-w")

    def _psql(self, sql: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                str(bin_dir() / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-tAc",
                sql,
            ],
            capture_output=True,
            text=True,
            check=False,
        )

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(bin_dir() / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=False, cwd="/")

    @staticmethod
    def _hand_over(path: Path) -> None:
        if os.geteuid() != 0:
            return
        user = pwd.getpwnam(SERVER_USER)
        os.chown(path, user.pw_uid, user.pw_gid)
        # The server user must be able to reach its folder from /.
        for parent in path.parents:
            if parent == Path("/"):
                break
            mode = parent.stat().st_mode
            if not mode & 0o001:
                os.chmod(parent, mode | 0o001)
