"""What keeps the launcher's children from outliving it: their death tied to its own, their pids recorded
for ``make down``, and output that survives a closed terminal or a broken pipe.

A launcher may end in ways it cannot clean up after: SIGKILL, or an error while stopping. Each child is
therefore started with ``PR_SET_PDEATHSIG`` (Linux): the kernel sends it SIGTERM when the launcher's thread
that started it ends, so an orphan stops as if the launcher had stopped it. Children are started from the
launcher's main thread only (at start-up and by its supervising loop), so that thread is the launcher.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from shared.localstack.process import pid_alive, read_pid, terminate

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def dies_with_this_process() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the child sent SIGTERM when this process ends; None off Linux."""
    if not sys.platform.startswith("linux"):
        return None
    # Looked up before the fork: the child only calls it.
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the launcher died before the tie was made
            os._exit(1)

    return preexec


class Output:
    """The launcher's standard output, which may go away (a closed terminal, ``make run | tee`` ended).

    A write that fails calls ``gone`` once, and every later write is dropped: the children's lines still go
    to their log files. The descriptor is pointed at /dev/null, so that nothing at exit tries it again.
    """

    def __init__(self, gone: Callable[[], None]) -> None:
        self._gone = gone
        self._lock = threading.Lock()
        self.closed = False

    def write(self, data: bytes) -> None:
        with self._lock:
            if self.closed:
                return
            try:
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
            except (BrokenPipeError, OSError, ValueError):
                self.closed = True
                with contextlib.suppress(OSError, ValueError):
                    devnull = os.open(os.devnull, os.O_WRONLY)
                    os.dup2(devnull, sys.stdout.fileno())
                    os.close(devnull)
                self._gone()

    def say(self, text: str) -> None:
        self.write(f"{text}\n".encode())

    def relay(self, name: str, stream: BinaryIO, log: BinaryIO) -> None:
        """Copy a child's output, line by line, prefixed with its name here and as is to its log file,
        until the child closes it (read on, whatever becomes of this output: a child whose pipe is not
        drained blocks on its next write)."""
        prefix = f"{name:<8}| ".encode()
        with log:
            for line in stream:
                self.write(prefix + line)
                log.write(line)
                log.flush()


def pid_file(run_dir: Path, name: str) -> Path:
    """Where the launcher records the pid of its child ``name`` (``make down`` reads it)."""
    return run_dir / f"{name}.pid"


def stop_recorded(run_dir: Path, names: list[str], timeout: float = 20.0) -> list[str]:
    """Stop the recorded children that still run (a launcher that could not stop them left them); the
    names stopped. A pid is trusted only while its process still runs ``services.<name>``."""
    stopped = []
    for name in names:
        path = pid_file(run_dir, name)
        pid = read_pid(path)
        if pid is not None and pid_alive(pid) and _runs(pid, f"services.{name}"):
            terminate(pid, timeout=timeout)
            stopped.append(name)
        path.unlink(missing_ok=True)
    return stopped


def _runs(pid: int, module: str) -> bool:
    try:
        return module.encode() in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
