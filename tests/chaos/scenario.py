"""The chaos run's inputs: the complaints, which of them the unit acknowledges, and an SLA policy in
seconds. Pure data, so that the run and its checks agree on what was asked for."""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass

from tests.chaos.checks import Complaint

DEFAULT_COMPLAINTS = 300  # the size `make test` runs; `make chaos` sets CHAOS_COMPLAINTS=2000
DEFAULT_REPLICAS = 2  # processes per service; the run kills one of each in turn
UNIT_TOKEN = "dev-police-1203"  # deploy/dev-tokens.yaml: the unit every complaint below is routed to
TOP_LEVEL = 2
ACKNOWLEDGE_EVERY = 3  # one complaint in three is acknowledged, the others climb the whole ladder
HTTP_EVERY = 10  # one complaint in ten comes through POST /v1/complaints, the others through Kafka

# Thefts in Khan Chamkar Mon (Phnom Penh, district 1203) go to police:1203 at level 0, then to
# provincial-police:KH-12, then to the working group. Level 0 leaves room to acknowledge across a
# restart of intake; resolution deadlines are an hour away, so an acknowledged case never moves again.
POLICY = """
deadlines:
  default: {acknowledgement: {plain: 20s}, resolution: {plain: 1h}}
ladder:
  - {level: 0, name: assigned unit}
  - level: 1
    name: provincial level
    deadlines: {default: {acknowledgement: {plain: 5s}, resolution: {plain: 1h}}}
  - level: 2
    name: working group
    unit: moi-working-group
    deadlines: {default: {acknowledgement: {plain: 5s}, resolution: {plain: 1h}}}
triage: {plain: 1h}
"""
TEXTS = {
    "en": "Someone stole my motorbike at the market and the police did not come.",
    "km": "ចោរលួចម៉ូតូរបស់ខ្ញុំនៅផ្សារ ប៉ុន្តែប៉ូលិសមិនមក",
}
PROVINCE_SPELLINGS = ("KH-12", "12", "Phnom Penh", "ភ្នំពេញ")


def complaint_count() -> int:
    return int(os.environ.get("CHAOS_COMPLAINTS", DEFAULT_COMPLAINTS))


def replica_count() -> int:
    return int(os.environ.get("CHAOS_REPLICAS", DEFAULT_REPLICAS))


@dataclass(frozen=True)
class Submission:
    """One complaint as its channel sends it (docs/contract.md §Submissions), and how the run treats it."""

    complaint: Complaint
    body: dict[str, object]
    over_http: bool
    acknowledge: bool

    def encoded(self) -> bytes:
        return json.dumps(self.body, ensure_ascii=False).encode()


def submissions(count: int, run: str) -> list[Submission]:
    """``count`` complaints of distinct citizens, message ids unique to ``run``."""
    made = []
    for n in range(count):
        local = f"0121{n:05d}"  # Cellcard numbers, each valid; the gateway sees them as +855121nnnnn
        language = "km" if n % 2 else "en"
        over_http = n % HTTP_EVERY == 0
        body: dict[str, object] = {
            "channel_message_id": f"{run}-{n}",
            "submitted_at": "2026-11-24T09:00:00+07:00",
            "citizen": {"name": f"Citizen {n}", "phone": local, "language": language},
            "text": TEXTS[language],
            "category": "theft",
            "location": {"province": PROVINCE_SPELLINGS[n % len(PROVINCE_SPELLINGS)], "district": "1203"},
        }
        if not over_http:
            body["channel"] = "sms" if n % 4 == 1 else "hotline"
        complaint = Complaint(message_id=f"{run}-{n}", phone=f"+855{local[1:]}")
        made.append(Submission(complaint, body, over_http, acknowledge=n % ACKNOWLEDGE_EVERY == 0))
    return made


# Refused by intake for their province, so dead-lettered with the citizen's phone (written every way a
# channel may write it), name (Khmer among them) and Messenger id in the value: the headers must hold none.
PLANTED = (
    ("+855 12 900 001", "Sok Dara"),
    ("012 900 002", "សុខ ដារ៉ា"),
    ("85512900003", "Chan Sophea"),
    ("012900004", "ចាន់ សុភា"),
)


def planted(run: str) -> list[Submission]:
    """Submissions intake must dead-letter (an unknown province), one per :data:`PLANTED` citizen."""
    made = []
    for n, (phone, name) in enumerate(PLANTED):
        body: dict[str, object] = {
            "channel": "sms",
            "channel_message_id": f"{run}-planted-{n}",
            "submitted_at": "2026-11-24T09:00:00+07:00",
            "citizen": {"name": name, "phone": phone, "facebook_psid": f"7{n:015d}", "language": "km"},
            "text": TEXTS["km"],
            "category": "theft",
            "location": {"province": "KH-99", "district": "1203"},
        }
        complaint = Complaint(message_id=f"{run}-planted-{n}", phone=phone)
        made.append(Submission(complaint, body, over_http=False, acknowledge=False))
    return made


def citizens(sent: list[Submission]) -> list[dict[str, object]]:
    """The ``citizen`` of every submission of ``sent``: what must never show outside the vault."""
    found = []
    for submission in sent:
        citizen = submission.body["citizen"]
        assert isinstance(citizen, dict)
        found.append(citizen)
    return found


def new_run_id() -> str:
    return f"chaos-{uuid.uuid4().hex[:8]}"
