"""Pure arithmetic of a load run: how many submissions are due by now at a set rate, latency percentiles,
and the sustained rate of a stage. No clocks are read here; times are passed in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


def due(elapsed: float, rate: float, total: int) -> int:
    """How many of ``total`` submissions should have gone by ``elapsed`` seconds at ``rate`` per second.

    The first goes at once; the ``n``-th (from 0) at ``n / rate``. A rate of 0 or less means flat out.
    """
    if rate <= 0:
        return total
    if elapsed < 0:
        return 0
    return min(total, math.floor(elapsed * rate) + 1)


def percentile(ordered: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of sorted values by the nearest-rank method: a value that occurred."""
    if not ordered:
        raise ValueError("no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} outside 0-100")
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True, slots=True)
class Latency:
    """How long a stage took over ``count`` submissions, in seconds."""

    count: int
    p50: float
    p95: float
    p99: float
    max: float

    @classmethod
    def of(cls, seconds: Iterable[float]) -> Latency:
        ordered = sorted(seconds)
        return cls(
            count=len(ordered),
            p50=percentile(ordered, 50),
            p95=percentile(ordered, 95),
            p99=percentile(ordered, 99),
            max=ordered[-1],
        )

    def json(self) -> dict[str, float | int]:
        return {
            "count": self.count,
            **{f"{name}_ms": round(getattr(self, name) * 1000, 1) for name in ("p50", "p95", "p99", "max")},
        }


def latencies(sent: Mapping[str, float], done: Mapping[str, float]) -> list[float]:
    """Seconds from each submission's send to its stage being reached, for those that reached it."""
    return [done[key] - at for key, at in sent.items() if key in done]


def span(sent: Mapping[str, float], done: Mapping[str, float]) -> float:
    """Seconds from the first submission sent to the last one of ``sent`` reaching the stage."""
    reached = [done[key] for key in sent if key in done]
    if not reached:
        raise ValueError("no submission reached the stage")
    return max(reached) - min(sent.values())
