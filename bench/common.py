"""What every benchmark shares: its servers, rates, comparisons with a baseline, timing, the table and the
JSON file."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import uvloop

from cli.table import render as render_rows
from cli.table import width
from shared.testing.servers import LocalServers

T = TypeVar("T")
P = TypeVar("P")
Plan = Callable[[int], P]  # builds the work of ``n`` events, before the clock starts
Run = Callable[[P], Awaitable[float]]  # does the work; the seconds it took
MEASURE_TIMEOUT = 300.0  # seconds: a measurement that hangs fails the run instead of hanging it
RESULTS_DIR = Path(__file__).resolve().parents[1] / "bench-results"


def on_local_servers(name: str, run: Callable[[LocalServers, Path], Coroutine[Any, Any, T]]) -> T:
    """Start Kafka and PostgreSQL in a temporary folder, ``run`` the benchmark ``name`` on them (uvloop; the
    folder is the benchmark's too), and stop them however it ends."""
    # A TERM (a timeout, a CI cancel) unwinds like an error, so that the servers are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as root:
        servers = LocalServers(Path(root))
        try:
            print("starting Kafka and PostgreSQL ...", flush=True)
            servers.start()
            return uvloop.run(run(servers, Path(root)))
        finally:
            servers.stop()


@dataclass(frozen=True, slots=True)
class Rate:
    """``events`` done in ``seconds`` by the thing named ``name``."""

    name: str
    events: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("inf")


@dataclass(frozen=True, slots=True)
class Comparison:
    """A rate beside its baseline; ``target`` is the smallest ratio the issue asks for, if any."""

    subject: Rate
    baseline: Rate
    target: float | None = None

    @property
    def ratio(self) -> float:
        return self.subject.per_second / self.baseline.per_second

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "PASS" if self.ratio >= self.target else "MISS"


def split(items: Sequence[T], parts: int) -> list[Sequence[T]]:
    """``items`` dealt into ``parts`` slices of (nearly) equal length."""
    return [items[i::parts] for i in range(parts)]


def chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


async def run_concurrently(jobs: Iterable[Awaitable[object]]) -> float:
    """Run ``jobs`` together; the seconds until the last one finished."""
    started = time.perf_counter()
    await asyncio.gather(*jobs)
    return time.perf_counter() - started


async def post_keep_alive(
    port: int, requests: Sequence[bytes], concurrency: int, expect: bytes, name: str
) -> tuple[float, list[float]]:
    """Send raw HTTP/1.1 ``requests`` on ``concurrency`` keep-alive connections (asyncio streams, a client
    light enough that the figure is the server's); the seconds it took and each answer's time. An answer
    whose status line does not start with ``expect`` (e.g. ``b"HTTP/1.1 200"``) stops the run."""
    latencies: list[float] = []

    async def connection(mine: Sequence[bytes]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for request in mine:
                sent = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )  # fmt: skip
                body = await reader.readexactly(length)
                latencies.append(time.perf_counter() - sent)
                if not head.startswith(expect):
                    raise RuntimeError(f"{name} answered {head.splitlines()[0]!r}: {body!r}")
        finally:
            writer.close()

    seconds = await run_concurrently(connection(part) for part in split(requests, concurrency))
    return seconds, latencies


async def measure(name: str, events: int, plan: Plan[P], run: Run[P]) -> Rate:
    """Warm up on a small plan (connections, prepared statements), then time ``run`` on ``events``.

    ``plan(n)`` builds the work for ``n`` events outside the timing; ``run`` does it and returns the
    seconds it took, so that it may leave its own set-up out of the figure.
    """
    async with asyncio.timeout(MEASURE_TIMEOUT):
        await run(plan(max(events // 50, 16)))
        seconds = await run(plan(events))
    rate = Rate(name, events, seconds)
    report(rate)
    return rate


def report(rate: Rate) -> None:
    """One progress line, while the run goes on."""
    print(f"  {rate.name:<56} {rate.per_second:>10,.0f} events/s", flush=True)


def render(title: str, comparisons: Sequence[Comparison]) -> str:
    header = ("measurement", "events/s", "baseline", "events/s", "ratio", "target", "")
    rows = [
        (
            c.subject.name,
            f"{c.subject.per_second:,.0f}",
            c.baseline.name,
            f"{c.baseline.per_second:,.0f}",
            f"{c.ratio:.2f}x",
            "" if c.target is None else f">= {c.target:g}x",
            c.verdict,
        )
        for c in comparisons
    ]
    return table(title, header, rows, right={1, 3, 4})


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> str:
    """A plain text table under ``title``, framed by rules; the columns numbered in ``right`` are
    right-aligned."""
    head, _, *body = render_rows(header, rows, right=right).splitlines()
    rule = "-" * width(head)
    return "\n".join([title, rule, head, rule, *body, rule])


def publish(
    name: str, title: str, rates: Sequence[Rate], comparisons: Sequence[Comparison], notes: Sequence[str]
) -> Path:
    """Print the table of ``comparisons`` under ``title`` (its ``{:.1f}`` the load average, which skews every
    figure) and write ``bench-results/<name>.json``; its path."""
    print()
    print(render(title.format(os.getloadavg()[0]), comparisons))
    return write_json(name, rates, comparisons, notes)


def write_json(
    name: str,
    rates: Sequence[Rate],
    comparisons: Sequence[Comparison],
    notes: Sequence[str],
    extra: Mapping[str, object] | None = None,
) -> Path:
    """Write ``bench-results/<name>.json`` (``extra``: further sections, such as latencies); its path."""
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    document = {
        "benchmark": name,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),  # others' work on the machine skews every figure
            "python": platform.python_version(),
            "system": platform.platform(),
        },
        "rates": [_rate_json(rate) for rate in rates],
        "comparisons": [
            {
                "subject": c.subject.name,
                "baseline": c.baseline.name,
                "ratio": round(c.ratio, 3),
                "target": c.target,
                "verdict": c.verdict or None,
            }
            for c in comparisons
        ],
        "notes": list(notes),
        **(extra or {}),
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def _rate_json(rate: Rate) -> dict[str, object]:
    return {
        "name": rate.name,
        "events": rate.events,
        "seconds": round(rate.seconds, 4),
        "events_per_second": round(rate.per_second, 1),
    }
