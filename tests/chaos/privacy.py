"""The personal-data promise checked from outside (docs/contract.md §Personal data): every phone (however
written), name and Messenger id a run used, looked for in what the run left where an operator reads: every
process's output, every ``/metrics`` page, every dead-letter header. The dev SMS gateway's log is not among
them: it stands in for the provider, which is given the phone by design.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tests.chaos.observe import dead_letter_records

# A number as it may be written: digits in groups split by single spaces or dashes, maybe after a + (or
# %2B, URL-encoded), not inside a word, a hex string or a dashed id (a UUID's all-digit groups). Every run
# of its groups is a candidate, so that `012 100 007`, `+855 12 100 007`, `85512100007` and `12100007`
# are all the same phone.
_NUMBER = re.compile(r"(?<![0-9A-Za-z-])(?:\+|%2B)?\d+(?:[ -]\d+)*(?![0-9A-Za-z-])")
_GROUPS_AT_MOST = 5  # `+855 12 100 007` is four
COUNTRY = "855"


def national(phone: str) -> str:
    """A Cambodian phone however written, as its national significant number: no 855, no leading 0."""
    digits = re.sub(r"\D", "", phone)
    digits = digits.removeprefix(COUNTRY) if len(digits) > 10 else digits
    return digits.removeprefix("0")


@dataclass(frozen=True)
class Personal:
    """The identifiers a run used: phones (national significant numbers), names, Messenger ids (PSIDs)."""

    phones: frozenset[str]
    names: frozenset[str]
    psids: frozenset[str] = frozenset()

    @classmethod
    def of(cls, citizens: Iterable[Mapping[str, object]]) -> Personal:
        """From submissions' ``citizen`` objects (docs/contract.md §Submissions)."""
        phones, names, psids = set(), set(), set()
        for citizen in citizens:
            if citizen.get("phone"):
                phones.add(national(str(citizen["phone"])))
            if citizen.get("name"):
                names.add(str(citizen["name"]))
            if citizen.get("facebook_psid"):
                psids.add(str(citizen["facebook_psid"]))
        return cls(frozenset(phones), frozenset(names), frozenset(psids))

    @property
    def count(self) -> int:
        return len(self.phones) + len(self.names) + len(self.psids)

    def found_in(self, text: str) -> set[str]:
        """Every identifier of this run in ``text``, as it is written there."""
        return self._numbers_in(text) | self._names_in(text)

    def _numbers_in(self, text: str) -> set[str]:
        hits = set()
        for match in _NUMBER.finditer(text):
            groups = re.findall(r"\d+", match.group())
            for first in range(len(groups)):
                for last in range(first + 1, min(len(groups), first + _GROUPS_AT_MOST) + 1):
                    digits = "".join(groups[first:last])
                    if digits in self.psids or national(digits) in self.phones:
                        hits.add(" ".join(groups[first:last]))
        return hits

    def _names_in(self, text: str) -> set[str]:
        """Each name as written and as JSON escapes it (a Khmer name becomes \\u17..), as a whole word."""
        forms = {form: name for name in self.names for form in {name, json.dumps(name)[1:-1]}}
        lengths: dict[str, set[int]] = defaultdict(set)
        for form in forms:
            lengths[form.split(" ")[0]].add(len(form))
        hits = set()
        for first_word, sizes in lengths.items():
            at = text.find(first_word)
            while at != -1:
                for size in sizes:
                    form = text[at : at + size]
                    if form in forms and not _in_a_word(text, at, at + size):
                        hits.add(forms[form])
                at = text.find(first_word, at + 1)
        return hits


def _in_a_word(text: str, start: int, end: int) -> bool:
    return (start > 0 and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum())


@dataclass
class Scan:
    """What was looked at (sources and bytes) and what was found where."""

    sources: int = 0
    size: int = 0
    found: dict[str, set[str]] = field(default_factory=dict)
    looked_at: list[str] = field(default_factory=list)

    def look(self, personal: Personal, where: str, text: str) -> None:
        self.looked_at.append(where)
        self.sources += 1
        self.size += len(text)
        if hits := personal.found_in(text):
            self.found[where] = hits

    def problems(self) -> list[str]:
        return [
            f"{where}: {len(hits)} personal identifiers, e.g. {sorted(hits)[:3]}"
            for where, hits in self.found.items()
        ]


async def dead_letter_headers(bootstrap: str, prefix: str) -> Mapping[str, str]:
    """Every header of every record of every ``<prefix>*.dlq`` topic, as text per topic."""
    return {
        topic: "\n".join(
            f"{name}: {bytes(value).decode(errors='replace')}" for r in records for name, value in r.headers
        )
        for topic, records in (await dead_letter_records(bootstrap, prefix)).items()
    }
