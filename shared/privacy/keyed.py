"""Keyed digests of personal identifiers (HMAC-SHA256 with ``PERSONAL_DATA_KEY``).

A plain SHA-256 of a phone number is reversible: there are only so many numbers, and trying each takes
minutes. A digest keyed with a secret the database does not hold can be matched only by a process that
knows the key. The ``purpose`` is part of the message, so one key gives unrelated digests to unrelated
tables (an opt-out and a rate counter of the same number cannot be joined).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, repr=False)
class KeyedDigest:
    """Digests under one secret key; the key never appears in ``repr``."""

    key: bytes

    @classmethod
    def of(cls, key: str) -> KeyedDigest:
        return cls(key.encode())

    def __call__(self, purpose: str, value: str) -> str:
        """The hex digest of ``value`` for ``purpose`` (e.g. ``"opt-out"``, ``"complaints-per-phone"``)."""
        return hmac.new(self.key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return "KeyedDigest(<secret>)"
