"""The demo's script as data, and the pure decision of what to do next on a case (no I/O, no clock).

A story is a complaint plus the steps responders take on it, each when the case is in a given status
at a given level. A story whose first step waits for level 2 is one nobody answers: the SLA policy
escalates it there. ``next_step`` is asked again on every poll, so a step waits as long as the case
is not where the step expects it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from cli.case_view import CaseView
from cli.intake_api import WORKING_GROUP, dev_token

Via = Literal["http", "kafka", "messenger"]
By = Literal["holder", "working_group", "citizen"]
# A citizen's steps, not commands: a text to intake's SMS webhook, a message through the Messenger gateway.
CITIZEN_SMS = "sms"
CITIZEN_MESSENGER = "messenger"
REFERENCE = "{reference}"  # in a citizen's words: the case's reference, known only once it is filed
VERBS = {
    "acknowledge": "acknowledges", "resolve": "resolves", "refuse": "refuses",
    "request-info": "asks the citizen", "verdict": "records a verdict", "assign": "assigns the case to",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Step:
    """Send ``command`` (an intake command path: acknowledge, resolve, refuse, request-info, verdict,
    assign) with ``body`` when the case is ``when`` at ``level``, as the unit holding it or as the working
    group; or, ``by`` the citizen, send ``body["text"]`` to the SMS webhook (``command`` is ``sms``) or
    through the Messenger gateway (``messenger``)."""

    when: str
    level: int | None
    command: str
    body: dict[str, Any] = field(default_factory=dict)
    by: By = "holder"

    def token(self, view: CaseView) -> str:
        return dev_token(WORKING_GROUP if self.by == "working_group" else view.unit_id or "")

    def words(self, view: CaseView) -> str:
        """What the citizen sends, the case's reference put in."""
        return str(self.body.get("text", "")).replace(REFERENCE, view.reference)

    def describe(self, view: CaseView) -> str:
        if self.by == "citizen":
            how = "writes on Messenger" if self.command == CITIZEN_MESSENGER else "answers by SMS"
            return f"the citizen {how}: {self.words(view)}"
        who = "the working group" if self.by == "working_group" else view.unit_id
        detail = (
            self.body.get("verdict") or self.body.get("unit_id") or self.body.get("note")
            or self.body.get("question") or ""
        )  # fmt: skip
        return f"{who} {VERBS.get(self.command, self.command)}" + (f": {detail}" if detail else "")


@dataclass(frozen=True, slots=True)
class Story:
    """One citizen's complaint and what happens to it.

    ``submission`` is a ChannelSubmission (docs/contract.md §Submissions). A story ``via`` Messenger
    writes only its ``text`` from its ``facebook_psid``, with its ``channel_message_id`` as the ``mid``:
    intake files it as it files any Messenger message (the name is the demo's; Messenger tells nobody's).
    """

    key: str
    title: str
    via: Via
    submission: dict[str, Any]
    steps: tuple[Step, ...]

    @property
    def channel(self) -> str:
        return str(self.submission["channel"])

    @property
    def message_id(self) -> str:
        return str(self.submission["channel_message_id"])

    @property
    def phone(self) -> str | None:
        phone = self.submission["citizen"].get("phone")
        return None if phone is None else str(phone)

    @property
    def psid(self) -> str | None:
        psid = self.submission["citizen"].get("facebook_psid")
        return None if psid is None else str(psid)


def next_step(story: Story, done: int, view: CaseView) -> Step | None:
    """The story's next step if the case is where it expects, else None (wait, or nothing left)."""
    if done >= len(story.steps):
        return None
    step = story.steps[done]
    if view.status == step.when and step.level in (None, view.level):
        return step
    return None


def finished(story: Story, done: int, view: CaseView) -> bool:
    """Every step taken and every text the citizen is owed (SMS or Messenger) sent, or given up on."""
    return done >= len(story.steps) and view.status != "new" and not view.awaiting_sms
