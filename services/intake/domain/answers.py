"""The words intake answers a citizen's message with, in Khmer and English (docs/conversation.md).

Short on purpose: a Khmer SMS part holds 70 characters. The receipt of a complaint filed by message is
notify's ``filed`` text (services/notify/templates/), sent when the filing reaches it; the same words are
here for doors that answer it themselves.
"""

from __future__ import annotations

from typing import Literal

from shared.events.types import Language

AnswerName = Literal[
    "status", "status_which", "unknown_reference", "stop", "start", "help", "reply", "update", "filed",
    "empty", "too_long", "limited", "too_many_complaints",
]  # fmt: skip

_TEMPLATES: dict[Language, dict[AnswerName, str]] = {
    "en": {
        "status": "Complaint {reference}: {state}.",
        "status_which": "To check a complaint, send STATUS and its reference, e.g. STATUS KH7F3K9Q.",
        "unknown_reference": "No complaint has the reference {reference}. Please check the reference in "
        "your receipt.",
        "stop": "You will receive no more texts from us. Send START to receive them again.",
        "start": "You will receive texts about your complaints again. Send STOP to stop them.",
        "help": "Ministry of Interior complaints. Text your complaint to file it. STATUS <reference>: its "
        "status. STOP: no more texts.",
        "reply": "Thank you. Your answer on complaint {reference} was passed to the officer handling it.",
        "update": "Your message was added to complaint {reference}. To file a new complaint instead, send "
        "NEW followed by your complaint.",
        "filed": "We received your complaint. Reference: {reference}. To check its status, reply STATUS "
        "{reference}",
        "empty": "Your message was empty. Text your complaint to file it, or HELP for help.",
        "too_long": "Your message is too long (over 1,600 characters). Please send a shorter one.",
        "limited": "You have sent too many messages. Please wait an hour and try again.",
        "too_many_complaints": "You have filed too many complaints this hour. Please wait an hour and send "
        "it again.",
    },
    "km": {
        "status": "ពាក្យបណ្ដឹង {reference}៖ {state}។",
        "status_which": "ដើម្បីពិនិត្យពាក្យបណ្ដឹង សូមផ្ញើ ស្ថានភាព និងលេខយោង ឧ. ស្ថានភាព KH7F3K9Q។",
        "unknown_reference": "គ្មានពាក្យបណ្ដឹងណាមានលេខយោង {reference} ទេ។ សូមពិនិត្យលេខយោងក្នុងសារបញ្ជាក់។",
        "stop": "អ្នកនឹងលែងទទួលសារពីយើងទៀតហើយ។ ផ្ញើ ចាប់ផ្ដើម ដើម្បីទទួលសារវិញ។",
        "start": "អ្នកនឹងទទួលសារអំពីពាក្យបណ្ដឹងរបស់អ្នកវិញ។ ផ្ញើ ឈប់ ដើម្បីបញ្ឈប់។",
        "help": "ពាក្យបណ្ដឹងក្រសួងមហាផ្ទៃ។ ផ្ញើពាក្យបណ្ដឹងជាសារ ដើម្បីដាក់ពាក្យ។ ស្ថានភាព <លេខយោង>៖ ស្ថានភាព។ ឈប់៖ លែងទទួលសារ។",
        "reply": "សូមអរគុណ។ ចម្លើយរបស់អ្នកលើពាក្យបណ្ដឹង {reference} ត្រូវបានបញ្ជូនទៅមន្ត្រីដែលកំពុងដោះស្រាយ។",
        "update": "សាររបស់អ្នកត្រូវបានបន្ថែមទៅពាក្យបណ្ដឹង {reference}។ ដើម្បីដាក់ពាក្យបណ្ដឹងថ្មី សូមផ្ញើ ថ្មី រួចសរសេរពាក្យបណ្ដឹង។",
        "filed": "យើងបានទទួលពាក្យបណ្ដឹងរបស់អ្នកហើយ។ លេខយោង៖ {reference}។ ដើម្បីដឹងពីស្ថានភាព "
        "សូមឆ្លើយតបសារនេះថា STATUS {reference}",
        "empty": "សាររបស់អ្នកទទេ។ ផ្ញើពាក្យបណ្ដឹងជាសារ ឬ ជំនួយ ដើម្បីទទួលជំនួយ។",
        "too_long": "សាររបស់អ្នកវែងពេក (លើស ១៦០០ តួអក្សរ)។ សូមផ្ញើសារខ្លីជាងនេះ។",
        "limited": "អ្នកបានផ្ញើសារច្រើនពេក។ សូមរង់ចាំមួយម៉ោង ហើយព្យាយាមម្ដងទៀត។",
        "too_many_complaints": "អ្នកបានដាក់ពាក្យបណ្ដឹងច្រើនពេកក្នុងមួយម៉ោងនេះ។ សូមរង់ចាំមួយម៉ោង ហើយផ្ញើម្ដងទៀត។",
    },
}

# A case's public status in words; {holder} is the unit holding it, or only its level when confidential.
_STATES: dict[Language, dict[str, str]] = {
    "en": {
        "filed": "received, being sent to the unit in charge",
        "needs_triage": "being reviewed by the Ministry of Interior working group",
        "assigned": "sent to {holder}, waiting for its answer",
        "acknowledged": "being handled by {holder}",
        "awaiting_citizen": "{holder} is waiting for your answer to its question",
        "refused": "refused by {holder}, being raised to the next level",
        "resolved": "resolved",
    },
    "km": {
        "filed": "បានទទួល ហើយកំពុងបញ្ជូនទៅអង្គភាពទទួលបន្ទុក",
        "needs_triage": "កំពុងពិនិត្យដោយក្រុមការងារក្រសួងមហាផ្ទៃ",
        "assigned": "បានបញ្ជូនទៅ{holder} កំពុងរង់ចាំចម្លើយ",
        "acknowledged": "កំពុងដោះស្រាយដោយ{holder}",
        "awaiting_citizen": "{holder}កំពុងរង់ចាំចម្លើយរបស់អ្នកចំពោះសំណួររបស់ខ្លួន",
        "refused": "ត្រូវបាន{holder}បដិសេធ ហើយកំពុងលើកទៅថ្នាក់បន្ទាប់",
        "resolved": "បានដោះស្រាយរួចរាល់",
    },
}
LEVELS: dict[Language, dict[int, str]] = {
    "en": {
        0: "the local unit in charge",
        1: "the provincial level",
        2: "the Ministry of Interior working group",
    },
    "km": {0: "អង្គភាពមូលដ្ឋានដែលទទួលបន្ទុក", 1: "ថ្នាក់ខេត្ត", 2: "ក្រុមការងារក្រសួងមហាផ្ទៃ"},
}


def answer_text(name: AnswerName, language: Language, **values: str) -> str:
    """The answer ``name`` in ``language``, filled in with ``values``."""
    return _TEMPLATES[language][name].format(**values)


def status_text(reference: str, status: str, holder: str | None, language: Language) -> str:
    """A case's public status: the status in words and who holds it (a unit's name, or a level)."""
    state = _STATES[language].get(status, status).format(holder=holder or LEVELS[language][0])
    return answer_text("status", language, reference=reference, state=state)
