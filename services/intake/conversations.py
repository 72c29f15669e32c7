"""PLACEHOLDER for the Messenger branch: every message files (or, repeated, finds) a complaint.

The SMS-in work (the other branch) owns this module: the reading order of docs/contract.md (keywords,
replies, updates, new complaints) and who a citizen is. At the merge its version replaces this file; it
must keep what the Messenger webhook relies on: ``receive`` is durable when it returns, a repeated
``(channel, message_id)`` changes nothing, and a message's attachments reach the case as ``evidence``.
Here only the last step of that order is done, so that Messenger can be tested end to end: a new
complaint, the sender's PSID as the citizen's Messenger id, the place from the text, the language from the
script, no answer (notify sends the receipt).
"""

from __future__ import annotations

from dataclasses import replace

from services.intake.domain.complaint import complaint_from
from services.intake.domain.conversation import Answer, Inbound
from services.intake.domain.submission import ChannelSubmission
from services.intake.service import Intake
from shared.events.types import Evidence

_KHMER = range(0x1780, 0x1800)


class Conversations:
    def __init__(self, intake: Intake) -> None:
        self._intake = intake

    async def receive(self, inbound: Inbound) -> Answer | None:
        khmer = any(ord(c) in _KHMER for c in inbound.text)
        citizen = {"language": "km" if khmer else "en"}
        citizen["phone" if inbound.channel == "sms" else "facebook_psid"] = inbound.sender
        submission = ChannelSubmission.model_validate(
            {
                "channel": inbound.channel, "channel_message_id": inbound.message_id,
                "submitted_at": inbound.received_at, "citizen": citizen, "text": inbound.text,
            },
            context={"gazetteer": self._intake.gazetteer},
            strict=False,
        )  # fmt: skip
        evidence = tuple(Evidence.model_validate(vars(a)) for a in inbound.attachments)
        complaint = replace(complaint_from(submission, self._intake.gazetteer), evidence=evidence)
        self._intake.metrics.received.labels(channel=inbound.channel).inc()
        await self._intake.batcher.file(complaint)
        return None
