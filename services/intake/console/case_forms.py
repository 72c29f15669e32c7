"""A case page's posted form read into one of intake's commands, or the catalogue key saying what is
wrong with it. Pure: the unit lookup of ``assign`` is passed in."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import get_args

from services.intake.domain.commands import (
    Acknowledge,
    Assign,
    Command,
    CommandName,
    RecordVerdict,
    Refuse,
    RequestInfo,
    Resolve,
)
from shared.events.types import Verdict

MAX_QUESTION = 160  # one SMS (docs/contract.md §HTTP)
MAX_NOTE = 2000
DEFAULT_REASON = "Assigned by the working group"
ACTIONS: tuple[CommandName, ...] = ("acknowledge", "request-info", "resolve", "refuse", "assign", "verdict")
VERDICTS: tuple[str, ...] = get_args(Verdict)


class FormProblemError(ValueError):
    """What is wrong with the form, as a catalogue key."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def command_of(action: str, form: Mapping[str, str], assignment: Callable[[str, str], Assign]) -> Command:
    """The command the form asks for; raises FormProblemError. ``assignment(unit_id, reason)`` raises
    LookupError for a unit that is not known."""
    note = form.get("note", "").strip()
    if len(note) > MAX_NOTE:
        raise FormProblemError("refused.note")
    if action == "acknowledge":
        return Acknowledge(note=note)
    if action == "resolve":
        return Resolve(note=note)
    if action == "refuse":
        return Refuse(note=note)
    if action == "request-info":
        question = form.get("question", "").strip()
        if not 1 <= len(question) <= MAX_QUESTION:
            raise FormProblemError("refused.question")
        return RequestInfo(question=question)
    if action == "verdict":
        verdict = form.get("verdict", "")
        if verdict not in VERDICTS:
            raise FormProblemError("refused.verdict")
        return RecordVerdict(verdict=verdict, note=note)  # type: ignore[arg-type]
    reason = form.get("reason", "").strip()[:500] or DEFAULT_REASON
    try:
        return assignment(form.get("unit_id", ""), reason)
    except LookupError:
        raise FormProblemError("refused.unit") from None
