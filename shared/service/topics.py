"""Topic names of docs/contract.md §Topics, under the optional ``TOPIC_PREFIX``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Topics:
    """Every topic name the system uses, with ``prefix`` in front (tests use a fresh prefix each)."""

    prefix: str = ""

    @property
    def submissions(self) -> str:
        return f"{self.prefix}complaints.submissions"

    @property
    def submissions_dlq(self) -> str:
        return f"{self.prefix}complaints.submissions.dlq"

    @property
    def case_events(self) -> str:
        return f"{self.prefix}case-events"

    def dlq_for_group(self, group: str) -> str:
        """The dead-letter topic of a ``case-events`` consumer group: ``<group>.dlq``."""
        return f"{self.prefix}{group}.dlq"
