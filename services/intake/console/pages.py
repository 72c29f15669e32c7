"""One way to render every console page: Jinja2 templates with autoescaping, the reader's language, the
signed-in session and its CSRF token, and the security headers of docs/console.md §Security rules."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from services.intake.console.access import nav_for
from services.intake.console.catalogue import Catalogue, Language, language_of
from services.intake.console.sessions import Session
from services.intake.console.urgency import Words, time_left
from services.intake.sla_deadlines import RunningClock
from shared.events.types import ResolvedLocation
from shared.places.gazetteer import Gazetteer
from shared.places.units import UnitRegistry
from shared.service.clock import Clock

LANGUAGE_COOKIE = "console_lang"
ZONE = ZoneInfo("Asia/Phnom_Penh")  # officers and citizens read Cambodian time
_TEMPLATES = Path(__file__).parent / "templates"
# No inline script or style anywhere: the one script and the one style sheet are the console's own files.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",  # pages hold personal data: no copy stays in a shared browser's cache
}


class Pages:
    """Renders templates for a request."""

    def __init__(self, catalogue: Catalogue, gazetteer: Gazetteer, units: UnitRegistry, clock: Clock) -> None:
        self.catalogue = catalogue
        self._gazetteer = gazetteer
        self._units = units
        self._clock = clock
        self._env = Environment(
            loader=FileSystemLoader(_TEMPLATES), autoescape=True, undefined=StrictUndefined, auto_reload=False
        )

    def language(self, request: Request) -> Language:
        return language_of(request.cookies.get(LANGUAGE_COOKIE))

    def words(self, request: Request) -> Words:
        """The catalogue in the reader's language: ``words(key, **values)``."""
        return partial(self.catalogue.text, self.language(request))

    def render(
        self,
        request: Request,
        template: str,
        *,
        session: Session | None = None,
        status: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        html = self._env.get_template(template).render(**self.context(request, session), **context)
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def context(self, request: Request, session: Session | None) -> dict[str, Any]:
        language = self.language(request)
        words = self.words(request)
        now = self._clock()
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return {
            "lang": language,
            "t": words,
            "number": partial(self.catalogue.number, language),
            "here": here,
            "session": session,
            "csrf": session.csrf_token if session else "",
            "nav": nav_for(session.account) if session else (),
            "now": now,
            "when": _when,
            "place": partial(self._place, language),
            "place_name": lambda code: self._gazetteer.name(code, language) or code,
            "unit_name": partial(self._unit_name, language),
            "category": lambda name: words(f"category.{name or 'none'}"),
            "time_left": lambda clock, status: _time_left(clock, status, now, words),
        }

    def _place(self, language: Language, location: ResolvedLocation) -> str:
        codes = [location.commune, location.district, location.province]
        names = [self._gazetteer.name(code, language) for code in codes if code]
        return ", ".join(name for name in names if name)

    def _unit_name(self, language: Language, unit_id: str) -> str:
        unit = self._units.get(unit_id)
        if unit is None:
            return unit_id
        return unit.name_km if language == "km" else unit.name_en


def _when(at: datetime) -> str:
    return at.astimezone(ZONE).strftime("%Y-%m-%d %H:%M")


def _time_left(clock: RunningClock | None, status: str, now: datetime, words: Words) -> str:
    return time_left(clock, status, now, words)
