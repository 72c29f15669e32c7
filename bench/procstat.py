"""What /proc says about a server process: its peak resident memory and the CPU time it and its children
used, so that a benchmark can name the process that ran out of CPU (psutil is not a dependency).
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK")


def peak_rss(pid: int) -> int:
    """Bytes: the largest resident set the process has had since it started (``VmHWM``)."""
    return _status_kib(pid, "VmHWM") * 1024


def rss(pid: int) -> int:
    """Bytes resident now (``VmRSS``)."""
    return _status_kib(pid, "VmRSS") * 1024


def cpu_seconds(pid: int, *, descendants: bool = True) -> float:
    """User and system CPU of ``pid`` and, unless told otherwise, every descendant, living or already
    waited for (PostgreSQL runs a process per connection: the postmaster's own figure leaves them out)."""
    if not descendants:
        return _cpu(pid, waited=False)
    children = _children()
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += _cpu(current)
        todo.extend(children.get(current, ()))
    return total


def _status_kib(pid: int, field: str) -> int:
    for line in (PROC / str(pid) / "status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name == field:
            return int(value.split()[0])
    raise LookupError(f"{field} not in /proc/{pid}/status")


def _stat_fields(pid: int) -> list[str]:
    """The fields after the command name, which may itself hold spaces and parentheses."""
    text = (PROC / str(pid) / "stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def _cpu(pid: int, *, waited: bool = True) -> float:
    """utime and stime, and with ``waited`` the children's cutime and cstime (fields 14-17 of stat);
    0 for a process gone meanwhile."""
    try:
        fields = _stat_fields(pid)
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return sum(int(value) for value in fields[11 : 15 if waited else 13]) / TICKS


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int(_stat_fields(int(entry.name))[1])
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
        tree.setdefault(parent, []).append(int(entry.name))
    return tree
