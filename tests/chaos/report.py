"""The chaos run's counts, as three printed lines and as JSON (bench-results/chaos.json for make chaos)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tests.chaos.checks import Findings
from tests.chaos.drive import Blow


@dataclass(frozen=True)
class Report:
    complaints: int
    over_http: int
    seconds: Mapping[str, float]
    blows: Sequence[Blow]
    acknowledge_answers: Mapping[str, int]
    findings: Findings
    self_restarts: Mapping[str, int]  # services that left on their own (a stuck Kafka client) and came back
    replicas: int = 1  # processes per service
    privacy: Mapping[str, int] = field(default_factory=dict)  # sources and bytes looked at, identifiers found

    def json(self) -> dict[str, object]:
        return {
            "complaints": self.complaints,
            "over_http": self.over_http,
            "seconds": dict(self.seconds),
            "blows": [asdict(blow) for blow in self.blows],
            "acknowledge_answers": dict(self.acknowledge_answers),
            "findings": self.findings.as_json(),
            "self_restarts": dict(self.self_restarts),
            "replicas": self.replicas,
            "privacy": dict(self.privacy),
        }

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.json(), indent=2) + "\n")

    def lines(self) -> list[str]:
        found = self.findings
        blows = ", ".join(f"{blow.target} {blow.down_seconds}s" for blow in self.blows)
        return [
            f"chaos: {self.complaints} complaints ({self.over_http} over HTTP), {found.acknowledged} "
            f"acknowledged, {found.unanswered} unanswered, {found.events} events, {found.sms} SMS",
            f"chaos: lost {found.lost}, duplicate events {found.duplicate_events}, wrong events "
            f"{found.wrong_events}, dead letters {found.dead_letters} (besides "
            f"{found.planted_dead_letters} of the submissions fed to be refused); missing receipts "
            f"{found.missing_receipts}, duplicate receipts {found.duplicate_receipts}, duplicate SMS "
            f"{found.duplicate_sms}",
            f"chaos: down {blows}; acknowledge answers {dict(self.acknowledge_answers)}; "
            f"self-restarts {dict(self.self_restarts)}; seconds {dict(self.seconds)}",
            f"chaos: {self.replicas} replicas of each service; personal data looked for {dict(self.privacy)}",
        ]
