"""The conversation use case: a citizen's message in; what it did and what to answer out.

See docs/conversation.md.

Channel-agnostic: the SMS webhook and the Messenger webhook both call :meth:`Conversations.receive`. One
transaction per message records the message as taken (``intake_inbound``, keyed by channel and message
id), spends one unit of the sender's budget, reads it (``domain/conversation.py``) and acts: an opt-out
kept or undone, a ``CitizenReplied`` appended, a complaint filed. So what it accepted is durable when it
answers, and a message delivered again finds its row and changes nothing, not even a second reply.

A new complaint also spends the sender's phone's complaint budget (``COMPLAINTS_PER_PHONE_PER_HOUR``, as the
web form's and Open311's do; docs/contract.md §Privacy budgets). A Messenger sender names no phone: its
PSID is bounded by the inbound budget alone. What a message brings besides its text (Messenger's
attachments) reaches the case as ``evidence``, on the filing or on the reply.

Which cases are the sender's: the open cases of every citizen whose vault row holds the sender's address,
proven or not. The unit's question, and every text about those cases, went to that address: whoever
answers from it is the person in that conversation. Linking a new filing is stricter
(``domain/citizens.py``): only a proven address joins a known citizen.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from uuid import UUID, uuid4

from pydantic import ValidationError

from services.intake.case_queries import CaseQueries
from services.intake.complaint_budgets import ComplaintBudgets
from services.intake.domain.answers import LEVELS, answer_text, status_text
from services.intake.domain.citizens import PHONE_PROVEN, PSID_PROVEN
from services.intake.domain.complaint import complaint_from
from services.intake.domain.conversation import (
    Answer,
    Inbound,
    Keyword,
    NewComplaint,
    OpenCase,
    Reading,
    Reply,
    Update,
    bare_reference,
    read,
    script_language,
)
from services.intake.domain.submission import ChannelSubmission
from services.intake.filing import PRODUCER, FilingService
from services.intake.metrics import IntakeMetrics
from shared.events import Actor, Envelope, NewEvent
from shared.events.types import MAX_EVIDENCE, CitizenReplied, Evidence, Language
from shared.eventstore import ConflictCounter, HasPool, PostgresEventStore, decide_and_append
from shared.eventstore.store import Connection
from shared.places.gazetteer import Gazetteer
from shared.places.units import UnitRegistry
from shared.privacy import Budget, KeyedDigest, OptOuts, take
from shared.service.clock import Clock

log = logging.getLogger(__name__)
BUDGET = "inbound-per-sender"
# Past the budget the sender is told once a window; the rest of the flood gets no answer (each would be
# a text we pay for).
_TOLD = "inbound-per-sender-told"
_ADDRESS = {"sms": "phone", "facebook": "facebook_psid"}
_OPEN_CASES = """
SELECT c.case_id, c.reference, c.status, c.language, c.citizen_id, c.filed_at, c.updated_at
FROM citizens v JOIN intake_cases c ON c.citizen_id = v.citizen_id
WHERE v.{column} = $1 AND c.status <> 'resolved'
ORDER BY c.filed_at DESC LIMIT 50
"""


class Conversations:
    """Reads and acts on citizens' messages; see the module's docstring."""

    def __init__(  # noqa: PLR0917 (the composition root passes each part)
        self,
        database: HasPool,
        filing: FilingService,
        queries: CaseQueries,
        gazetteer: Gazetteer,
        units: UnitRegistry,
        metrics: IntakeMetrics,
        clock: Clock,
        *,
        digest: KeyedDigest,
        complaints: ComplaintBudgets,
        budget: Budget,
        window: timedelta,
        conflicts: ConflictCounter,
    ) -> None:
        self._database = database
        self._filing = filing
        self._queries = queries
        self._gazetteer = gazetteer
        self._units = units
        self._metrics = metrics
        self._clock = clock
        self._digest = digest
        self._complaints = complaints
        self._budget = budget
        self._told = Budget(_TOLD, 1, budget.window)
        self._window = window
        self._conflicts = conflicts
        self.opt_outs = OptOuts(digest)

    async def receive(self, inbound: Inbound) -> Answer | None:
        """Act on ``inbound`` and say what to answer; None for a message taken before (a redelivery)."""
        now = self._clock()
        pool = self._database.pool
        async with pool.acquire() as connection, connection.transaction():
            if not await _claim(connection, inbound, now):
                return None
            subject = self._digest(BUDGET, f"{inbound.channel}:{inbound.sender}")
            if not (await take(connection, self._budget, subject, now)).allowed:
                await _record(connection, inbound, "limited", None)
                told = (await take(connection, self._told, subject, now)).allowed
                text = answer_text("limited", script_language(inbound.text)) if told else ""
                return Answer(text, script_language(inbound.text), "limited")
            cases = await self._open_cases(connection, inbound)
            reference = bare_reference(inbound.text)
            known = reference is not None and await _reference_exists(connection, reference)
            reading = read(inbound.text, cases, now=now, window=self._window, known_reference=known)
            answer, case_id = await self._act(connection, inbound, reading, cases, now)
            await _record(connection, inbound, answer.kind, case_id)
            if answer.kind != "keyword" and await self.opt_outs.opted_out(connection, [inbound.sender]):
                # Opted out: only what it asked by keyword is answered (its STOP, START, STATUS, HELP).
                answer = Answer("", answer.language, answer.kind)
        return answer

    async def _act(  # noqa: PLR0911 (one return per reading)
        self,
        connection: Connection,
        inbound: Inbound,
        reading: Reading,
        cases: Sequence[OpenCase],
        now: datetime,
    ) -> tuple[Answer, UUID | None]:
        match reading:
            case Keyword(word="stop", language=language):
                await self.opt_outs.add(connection, [inbound.sender], f"{inbound.channel}:STOP")
                return Answer(answer_text("stop", language), language, "keyword"), None
            case Keyword(word="start", language=language):
                await self.opt_outs.remove(connection, [inbound.sender])
                return Answer(answer_text("start", language), language, "keyword"), None
            case Keyword(word="help", language=language):
                return Answer(answer_text("help", language), language, "keyword"), None
            case Keyword(word="status", language=language, reference=reference):
                text = await self._status(connection, reference, cases, language)
                return Answer(text, language, "keyword"), None
            case Reply(case=case) | Update(case=case):
                await self._append_reply(connection, inbound, case, now)
                if isinstance(reading, Reply):
                    text = answer_text("reply", case.language, reference=case.reference)
                    return Answer(text, case.language, "reply"), case.case_id
                text = answer_text("update", case.language, reference=case.reference)
                return Answer(text, case.language, "update"), case.case_id
            case NewComplaint(text=text, language=language):
                return await self._file(connection, inbound, text, language, now)
        raise AssertionError(reading)

    async def _status(
        self, connection: Connection, reference: str | None, cases: Sequence[OpenCase], language: Language
    ) -> str:
        if reference is None:
            if not cases:
                return answer_text("status_which", language)
            reference = cases[0].reference  # the newest filed: STATUS alone asks about it
        found = await self._queries.public_status(reference, connection=connection)
        if found is None:
            if await _reference_exists(connection, reference):  # filed, not yet in the status projection
                return status_text(reference, "filed", None, language)
            return answer_text("unknown_reference", language, reference=reference)
        holder: str | None = None
        if found.assigned_unit is not None:
            unit = self._units.get(found.assigned_unit.id)
            names = (unit.name_km, unit.name_en) if unit else (found.assigned_unit.name,) * 2
            holder = names[0] if language == "km" else names[1]
        elif found.escalation_level is not None:
            holder = LEVELS[language][found.escalation_level]
        return status_text(found.reference, found.status, holder, language)

    async def _append_reply(
        self, connection: Connection, inbound: Inbound, case: OpenCase, now: datetime
    ) -> None:
        key = f"reply:{inbound.channel}:{inbound.message_id}"
        actor = Actor(kind="citizen", id=str(case.citizen_id) if case.citizen_id else "anonymous")
        data = CitizenReplied(text=inbound.text.strip(), channel=inbound.channel, evidence=_evidence(inbound))

        def replied(_: UUID, stream: Sequence[Envelope]) -> list[NewEvent]:
            # Appended whatever the case's status now: a reply that crosses the unit's next step is still
            # the citizen's word on the case (evolve moves only a case that awaits the citizen).
            return [NewEvent(uuid4(), data, key, now, PRODUCER, actor=actor)]

        store = PostgresEventStore(self._database.pool)
        await decide_and_append(
            store, replied, conflicts=self._conflicts, read=[case.case_id], connection=connection
        )

    async def _file(
        self, connection: Connection, inbound: Inbound, text: str, language: Language, now: datetime
    ) -> tuple[Answer, UUID | None]:
        citizen = {_ADDRESS[inbound.channel]: inbound.sender, "language": language}
        try:
            submission = ChannelSubmission.model_validate(
                {
                    "channel": inbound.channel,
                    "channel_message_id": inbound.message_id,
                    "submitted_at": inbound.received_at,
                    "citizen": citizen,
                    "text": text,
                },
                context={"gazetteer": self._gazetteer},
            )
        except ValidationError as error:
            fields = ", ".join(".".join(map(str, e["loc"])) for e in error.errors())
            log.info("a %s message could not be filed (%s)", inbound.channel, fields)
            self._metrics.rejected.labels(channel=inbound.channel, reason="invalid").inc()
            return Answer(answer_text("empty", language), language, "rejected"), None
        self._metrics.received.labels(channel=inbound.channel).inc()
        phone = inbound.sender if inbound.channel == "sms" else None  # Messenger names none
        allowance = await self._complaints.allow(
            phone=phone, client_ip=None, now=now, channel=inbound.channel, connection=connection
        )
        if not allowance.allowed:
            self._metrics.rejected.labels(channel=inbound.channel, reason="limited").inc()
            log.info("refused a %s complaint: the %s budget is spent", inbound.channel, allowance.budget)
            return Answer(answer_text("too_many_complaints", language), language, "limited"), None
        proven = PHONE_PROVEN if inbound.channel == "sms" else PSID_PROVEN
        complaint = replace(complaint_from(submission, self._gazetteer, proven), evidence=_evidence(inbound))
        (filed,) = await self._filing.file_many([complaint], connection=connection)
        return Answer(answer_text("filed", language, reference=filed.reference), language, "complaint"), (
            filed.case_id
        )

    async def _open_cases(self, connection: Connection, inbound: Inbound) -> list[OpenCase]:
        rows = await connection.fetch(_OPEN_CASES.format(column=_ADDRESS[inbound.channel]), inbound.sender)
        return [OpenCase(**dict(row)) for row in rows]


def _evidence(inbound: Inbound) -> tuple[Evidence, ...]:
    """The message's attachments as a case keeps them (the first ``MAX_EVIDENCE``: an event has room for no
    more)."""
    kept = inbound.attachments[:MAX_EVIDENCE]
    return tuple(Evidence.model_validate({"kind": a.kind, "url": a.url}) for a in kept)


async def _claim(connection: Connection, inbound: Inbound, now: datetime) -> bool:
    """Take the message: False when it was taken before (waits for a delivery in flight to commit)."""
    taken = await connection.fetchval(
        """INSERT INTO intake_inbound (channel, message_id, kind, received_at) VALUES ($1, $2, 'taken', $3)
           ON CONFLICT DO NOTHING RETURNING true""",
        inbound.channel, inbound.message_id, now,
    )  # fmt: skip
    return bool(taken)


async def _record(connection: Connection, inbound: Inbound, kind: str, case_id: UUID | None) -> None:
    await connection.execute(
        "UPDATE intake_inbound SET kind = $3, case_id = $4 WHERE channel = $1 AND message_id = $2",
        inbound.channel, inbound.message_id, kind, case_id,
    )  # fmt: skip


async def _reference_exists(connection: Connection, reference: str) -> bool:
    found = await connection.fetchval("SELECT 1 FROM intake_references WHERE reference = $1", reference)
    return found is not None
