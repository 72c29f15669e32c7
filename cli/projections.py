"""Every projection of the system by name, for the replay command (this composition root imports services)."""

from __future__ import annotations

from collections.abc import Callable

from shared.projection import Projection

# name -> a function building the projection with its default settings. Each service adds its own here.
PROJECTIONS: dict[str, Callable[[], Projection]] = {}
