"""The demo's eight citizens: Khmer and English, four channels, five provinces, and what befalls each.

Between them the cases are acknowledged and resolved, refused (escalated at once), left unanswered
until the SLA policy raises them to the provincial level or to the working group, judged by the working
group, and triaged by it; one citizen answers a unit's question by SMS, another writes on Messenger and
hears back there. Ids, phone numbers and the PSID are the run's own, so runs against one stack do not mix.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cli.demo.plan import CITIZEN_MESSENGER, CITIZEN_SMS, REFERENCE, By, Step, Story
from cli.submissions import submission

GROUP: By = "working_group"
PHONES_NEEDED = 6  # the seventh citizen is anonymous, the eighth known by a PSID alone


def demo_stories(run_id: str, phones: Sequence[str], psid: str, now: datetime) -> list[Story]:
    """The stories of one run; ``phones`` are the citizens' numbers (E.164), ``psid`` the Messenger
    citizen's page-scoped id, ``now`` their filing time."""
    sokha, dara, srey_mom, vannak, chenda, bopha = phones[:PHONES_NEEDED]

    def filed(key: str, channel: str, **fields: Any) -> dict[str, Any]:
        return submission(channel=channel, message_id=f"demo-{run_id}-{key}", submitted_at=now, **fields)

    return [
        Story(
            "sokha", "acknowledged by the district police, which asks a question answered by SMS; resolved",
            "http",
            filed("sokha", "web", name="Sokha", phone=sokha, language="km", category="theft",
                  text="ម៉ូតូរបស់ខ្ញុំត្រូវបានគេលួចនៅមុខផ្ទះ កាលពីយប់មិញ។",
                  province="KH-12", district="1203"),
            (Step("assigned", 0, "acknowledge", {"note": "An officer will visit you today."}),
             Step("acknowledged", 0, "request-info", {"question": "What colour is the motorbike?"}),
             Step("awaiting_citizen", 0, CITIZEN_SMS, {"text": "ពណ៌ក្រហម ស៊េរី Honda Dream"}, by="citizen"),
             Step("acknowledged", 0, "resolve", {"note": "The motorbike was found and returned."})),
        ),
        Story(
            "dara", "refused by the district police: escalated at once, resolved by the province", "kafka",
            filed("dara", "facebook", name="Dara", phone=dara, language="en", category="theft",
                  text="My phone was stolen at the market in Battambang town and the police post told me "
                       "to come back next week."),
            (Step("assigned", 0, "refuse", {"note": "Lost property, not a theft."}),
             Step("assigned", 1, "acknowledge", {"note": "The provincial police takes the case."}),
             Step("acknowledged", 1, "resolve", {"note": "The phone was recovered."})),
        ),
        Story(
            "srey-mom", "nobody answers: escalated to the working group, which judges and resolves it",
            "kafka",
            filed("srey-mom", "sms", name="Srey Mom", phone=srey_mom, language="km", category="land_dispute",
                  text="ខ្ញុំរស់នៅខេត្តសៀមរាប។ មានគេរំលោភយកដីស្រែរបស់គ្រួសារខ្ញុំ ហើយអាជ្ញាធរមិនដោះស្រាយ។"),
            (Step("assigned", 2, "verdict", {"verdict": "substantiated", "note": "The land title is hers."},
                  by=GROUP),
             Step("assigned", 2, "acknowledge"),
             Step("acknowledged", 2, "resolve", {"note": "The provincial hall returned the land."})),
        ),
        Story(
            "vannak", "the commune office does not answer: the provincial hall takes it and resolves it",
            "kafka",
            filed("vannak", "commune_office", name="Vannak", phone=vannak, language="km",
                  category="public_services", official="Commune clerk Chan Thy",
                  text="ផ្លូវក្នុងភូមិខូចខាតធ្ងន់ធ្ងរ តាំងពីរដូវវស្សាមុន ហើយមិនទាន់មានការជួសជុលទេ។",
                  province="KH-12", district="1203", commune="120301"),
            (Step("assigned", 1, "acknowledge"),
             Step("acknowledged", 1, "resolve", {"note": "The road is being repaired."})),
        ),
        Story(
            "chenda", "domestic violence: acknowledged within its shorter deadline, resolved", "http",
            filed("chenda", "web", name="Chenda", phone=chenda, language="km", category="domestic_violence",
                  text="អ្នកជិតខាងខ្ញុំវាយប្រពន្ធរបស់គាត់រៀងរាល់យប់ សូមជួយអន្តរាគមន៍។",
                  province="Phnom Penh", district="Tuol Kouk"),
            (Step("assigned", 0, "acknowledge", {"note": "Officers are on their way."}),
             Step("acknowledged", 0, "resolve", {"note": "The husband was arrested."})),
        ),
        Story(
            "bopha", "police misconduct (confidential): the province does not answer, the working group "
            "judges it", "http",
            filed("bopha", "web", name="Bopha", phone=bopha, language="en", category="police_misconduct",
                  text="An officer at the district police post asked me for money before he would write "
                       "down my complaint.",
                  province="Kampot"),
            (Step("assigned", 2, "verdict", {"verdict": "substantiated", "note": "Two other reports agree."},
                  by=GROUP),
             Step("assigned", 2, "acknowledge", {"note": "The inspectorate will question the officer."})),
        ),
        Story(
            "anonymous", "anonymous, no category: the working group triages it to the provincial hall",
            "http",
            filed("anonymous", "web", anonymous=True, language="en", category="other",
                  text="Someone dumps chemical waste into the canal behind the market every night.",
                  province="Kampong Cham"),
            (Step("needs_triage", None, "assign", {"unit_id": "provincial-hall:KH-3",
                                                   "reason": "Pollution is the province's to handle."},
                  by=GROUP),
             Step("assigned", None, "acknowledge")),
        ),
        Story(
            "rotha", "no category: the working group triages it to the district police; the citizen asks "
            "STATUS there; resolved", "messenger",
            filed("rotha", "facebook", name="Rotha", psid=psid, language="km",
                  text="មានគេលក់គ្រឿងញៀននៅក្បែរសាលារៀន ក្នុងខណ្ឌទួលគោក រាជធានីភ្នំពេញ។"),
            (Step("needs_triage", None, "assign", {"unit_id": "police:1204",
                                                   "reason": "Drug dealing is the district police's."},
                  by=GROUP),
             Step("assigned", 0, "acknowledge", {"note": "Officers will watch the school."}),
             Step("acknowledged", 0, CITIZEN_MESSENGER, {"text": f"STATUS {REFERENCE}"}, by="citizen"),
             Step("acknowledged", 0, "resolve", {"note": "Two sellers were arrested."})),
        ),
    ]  # fmt: skip
