"""The working group queue's filters, read from the page's query string: pure, with the time passed in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import get_args

from shared.events.types import Category

AGES = (1, 3, 7, 30)  # "filed more than N days ago"
CATEGORIES: tuple[str, ...] = get_args(Category)


@dataclass(frozen=True, slots=True)
class QueueFilter:
    province: str | None = None
    category: str | None = None
    older_than_days: int | None = None

    def filed_before(self, now: datetime) -> datetime | None:
        return now - timedelta(days=self.older_than_days) if self.older_than_days else None


def read_filter(query: Mapping[str, str], provinces: set[str]) -> QueueFilter:
    """The filter the query string asks for; a value that is not one of the choices is ignored (it can
    only come from an edited URL, and showing every case is the safe reading)."""
    province = query.get("province") or None
    category = query.get("category") or None
    age = query.get("age", "")
    return QueueFilter(
        province=province if province in provinces else None,
        category=category if category in CATEGORIES else None,
        older_than_days=int(age) if age.isdigit() and int(age) in AGES else None,
    )
