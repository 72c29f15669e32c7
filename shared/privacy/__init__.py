"""What the services share to keep personal data private and abuse bounded (docs/contract.md §Privacy).

``keyed.py`` names a phone number or Messenger id by a keyed digest, so tables and counters can refer to a
person without holding (or letting anyone recompute) their contact; ``budgets.py`` keeps the rate counters
every replica shares in PostgreSQL. ``PRIVACY`` is their migration set, applied by every service that
uses them. ``opt_outs.py`` keeps the addresses that asked for no more texts, by keyed digest.
"""

from pathlib import Path

from shared.eventstore.migrations import MigrationSet
from shared.privacy.budgets import Allowance, Budget, give_back, take
from shared.privacy.keyed import KeyedDigest
from shared.privacy.opt_outs import OptOuts

PRIVACY = MigrationSet("privacy", Path(__file__).parent / "sql")

__all__ = ["PRIVACY", "Allowance", "Budget", "KeyedDigest", "OptOuts", "give_back", "take"]
