"""Every projection of the system by name, for the replay command (this composition root imports services)."""

from __future__ import annotations

from collections.abc import Callable

from services.intake.case_status import CaseStatusProjection
from services.sla.bootstrap import deadlines_projection
from shared.messaging.projection import Projection

# name -> a function building the projection with its default settings. Each service adds its own here.
PROJECTIONS: dict[str, Callable[[], Projection]] = {
    "case_status": CaseStatusProjection,  # intake: intake_cases and intake_timeline
    "sla_deadlines": deadlines_projection,  # sla: sla_deadlines
}
